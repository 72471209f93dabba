using System.Numerics.Tensors;

namespace Cascade.Tensors;

/// <summary>
/// Loop helpers shared by axis, shape and broadcasting ops. A tensor viewed along one axis is (outer, n, inner):
/// element [o, k, i] sits at (o · n + k) · inner + i. Broadcast iteration walks rows of the last axis with an
/// odometer over the leading axes, so the inner loop is a contiguous span (or one repeated value).
/// </summary>
internal static class AxisLoops
{
    /// <summary>(product of dims before axis, dim at axis, product of dims after axis).</summary>
    public static (int Outer, int N, int Inner) Split(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>Shape with dimension <paramref name="axis"/> removed (keepDim false) or set to 1.</summary>
    public static int[] Reduced(ReadOnlySpan<int> shape, int axis, bool keepDim)
    {
        var r = new List<int>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (i != axis) r.Add(shape[i]);
            else if (keepDim) r.Add(1);
        }
        return r.ToArray();
    }

    /// <summary>
    /// Moves the odometer <paramref name="idx"/> over the axes before the last of <paramref name="shape"/> by one row,
    /// advancing each offset by its operand's strides (0 on broadcast axes).
    /// </summary>
    public static void NextRow(ReadOnlySpan<int> shape, Span<int> idx, ReadOnlySpan<int> s0, ref int o0, ReadOnlySpan<int> s1, ref int o1)
    {
        for (int ax = shape.Length - 2; ax >= 0; ax--)
        {
            idx[ax]++;
            o0 += s0[ax];
            o1 += s1[ax];
            if (idx[ax] < shape[ax]) return;
            o0 -= s0[ax] * shape[ax];
            o1 -= s1[ax] * shape[ax];
            idx[ax] = 0;
        }
    }

    /// <summary>Number of rows of the last axis (1 for a scalar shape) and the row length.</summary>
    public static (int Rows, int Inner) Rows(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return (1, 1);
        int inner = shape[^1];
        return (inner == 0 ? 0 : ShapeUtil.Numel(shape) / inner, inner);
    }

    /// <summary>dst (shape <paramref name="dstShape"/>) += src broadcast from <paramref name="srcShape"/>.</summary>
    public static void AddBroadcast(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, Span<float> dst, ReadOnlySpan<int> dstShape)
    {
        if (srcShape.SequenceEqual(dstShape)) { TensorPrimitives.Add(dst, src, dst); return; }
        var ss = Broadcasting.AlignedStrides(srcShape, dstShape);
        var (rows, inner) = Rows(dstShape);
        int sIn = dstShape.Length == 0 ? 0 : ss[^1];
        Span<int> idx = stackalloc int[Math.Max(1, dstShape.Length)];
        Span<int> none = stackalloc int[Math.Max(1, dstShape.Length)];
        int so = 0, unused = 0;
        for (int r = 0; r < rows; r++)
        {
            var d = dst.Slice(r * inner, inner);
            if (sIn == 1) TensorPrimitives.Add(d, src.Slice(so, inner), d);
            else TensorPrimitives.Add(d, src[so], d);
            NextRow(dstShape, idx, ss, ref so, none, ref unused);
        }
    }

    /// <summary>Shape of <paramref name="shape"/> permuted: result[i] = shape[perm[i]].</summary>
    public static int[] Permuted(ReadOnlySpan<int> shape, ReadOnlySpan<int> perm)
    {
        var r = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) r[i] = shape[perm[i]];
        return r;
    }

    /// <summary>
    /// dst = (or +=, when <paramref name="accumulate"/>) src permuted: dst[i₀…] = src at index with axis perm[k] = iₖ.
    /// The inner loop runs along the last output axis; it is a span copy when that axis is also the source's last.
    /// </summary>
    public static void Permute(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, ReadOnlySpan<int> perm, Span<float> dst, bool accumulate)
    {
        int rank = perm.Length;
        var outShape = Permuted(srcShape, perm);
        var own = ShapeUtil.Strides(srcShape);
        var ps = new int[rank];
        for (int i = 0; i < rank; i++) ps[i] = own[perm[i]];
        var (rows, inner) = Rows(outShape);
        int sIn = rank == 0 ? 1 : ps[^1];
        Span<int> idx = stackalloc int[Math.Max(1, rank)];
        Span<int> none = stackalloc int[Math.Max(1, rank)];
        int so = 0, unused = 0;
        for (int r = 0; r < rows; r++)
        {
            var d = dst.Slice(r * inner, inner);
            if (sIn == 1)
            {
                if (accumulate) TensorPrimitives.Add(d, src.Slice(so, inner), d);
                else src.Slice(so, inner).CopyTo(d);
            }
            else if (accumulate)
            {
                for (int i = 0, s = so; i < inner; i++, s += sIn) d[i] += src[s];
            }
            else
            {
                for (int i = 0, s = so; i < inner; i++, s += sIn) d[i] = src[s];
            }
            NextRow(outShape, idx, ps, ref so, none, ref unused);
        }
    }
}
