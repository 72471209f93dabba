namespace Cascade.Tensors;

/// <summary>
/// Iteration over a broadcast output shape in rows of its last axis: for every output row the caller gets the row
/// offsets of both inputs and whether each input's row is contiguous (stride 1) or a single repeated value (stride 0).
/// Elementwise ops and the gradient reductions of broadcast inputs share it.
/// </summary>
public static class Broadcasting
{
    /// <summary>Strides of <paramref name="shape"/> aligned to <paramref name="outShape"/>: 0 on broadcast axes.</summary>
    public static int[] AlignedStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> outShape)
    {
        var own = ShapeUtil.Strides(shape);
        var r = new int[outShape.Length];
        int lead = outShape.Length - shape.Length;
        for (int i = 0; i < outShape.Length; i++)
        {
            int j = i - lead;
            r[i] = j < 0 || shape[j] == 1 ? 0 : own[j];
        }
        return r;
    }

    /// <summary>
    /// Calls <paramref name="row"/>(outRowStart, aRowStart, bRowStart) for every row of the last axis of
    /// <paramref name="outShape"/>; within a row, an input advances by its last-axis stride (0 or 1).
    /// </summary>
    public static void ForEachRow(ReadOnlySpan<int> outShape, int[] aStrides, int[] bStrides, Action<int, int, int> row)
    {
        int rank = outShape.Length;
        if (rank == 0) { row(0, 0, 0); return; }
        int inner = outShape[rank - 1];
        int rows = inner == 0 ? 0 : ShapeUtil.Numel(outShape) / inner;
        Span<int> idx = stackalloc int[rank];
        int aOff = 0, bOff = 0;
        for (int r = 0; r < rows; r++)
        {
            row(r * inner, aOff, bOff);
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                idx[ax]++;
                aOff += aStrides[ax];
                bOff += bStrides[ax];
                if (idx[ax] < outShape[ax]) break;
                aOff -= aStrides[ax] * outShape[ax];
                bOff -= bStrides[ax] * outShape[ax];
                idx[ax] = 0;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="grad"/> (shape <paramref name="outShape"/>) into <paramref name="dst"/> (shape
    /// <paramref name="dstShape"/>), summing over the axes along which <paramref name="dstShape"/> was broadcast.
    /// </summary>
    public static void AccumulateReduced(ReadOnlySpan<float> grad, ReadOnlySpan<int> outShape, Span<float> dst, ReadOnlySpan<int> dstShape)
    {
        if (outShape.SequenceEqual(dstShape))
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dst, grad, dst);
            return;
        }
        var dStrides = AlignedStrides(dstShape, outShape);
        int rank = outShape.Length;
        int inner = rank == 0 ? 1 : outShape[rank - 1];
        int dInner = rank == 0 ? 0 : dStrides[rank - 1];
        int rows = inner == 0 ? 0 : ShapeUtil.Numel(outShape) / inner;
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        int dOff = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = grad.Slice(r * inner, inner);
            if (dInner == 1) System.Numerics.Tensors.TensorPrimitives.Add(dst.Slice(dOff, inner), g, dst.Slice(dOff, inner));
            else dst[dOff] += System.Numerics.Tensors.TensorPrimitives.Sum(g);
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                idx[ax]++;
                dOff += dStrides[ax];
                if (idx[ax] < outShape[ax]) break;
                dOff -= dStrides[ax] * outShape[ax];
                idx[ax] = 0;
            }
        }
    }
}
