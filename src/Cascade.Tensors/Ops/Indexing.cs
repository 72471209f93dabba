using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Picks slices along <paramref name="axis"/> by index: y[…, j…, …] = x[…, indices[j…], …]. x: (…, n, …) with
    /// axis of length n; indices: any shape I with values in [0, n); y: (…, I, …). Backward scatter-adds dy into dx
    /// (repeated indices accumulate).
    /// </summary>
    /// <example><c>Ops.IndexSelect(table, 0, ids)  // table (V, D), ids (B, L) → (B, L, D)</c></example>
    public static Tensor IndexSelect(Tensor x, int axis, IntTensor indices)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = AxisLoops.Split(x.ShapeRef, a);
        var idx = indices.Data;
        for (int j = 0; j < idx.Length; j++)
            if ((uint)idx[j] >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(indices), $"IndexSelect: index {idx[j]} at position {j} is outside axis {axis} of {ShapeUtil.Format(x.Shape)} (length {n}).");
        var shape = new List<int>(x.Rank + indices.Rank);
        for (int i = 0; i < a; i++) shape.Add(x.ShapeRef[i]);
        foreach (int d in indices.Shape) shape.Add(d);
        for (int i = a + 1; i < x.Rank; i++) shape.Add(x.ShapeRef[i]);
        var y = Tensor.Empty(shape.ToArray());
        int m = idx.Length;
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < m; j++) ys[o * m + j] = xs[o * n + idx[j]];
        }
        else
        {
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < m; j++)
                    xs.Slice((o * n + idx[j]) * inner, inner).CopyTo(ys.Slice((o * m + j) * inner, inner));
        }
        if (Autograd.ShouldRecord(x))
        {
            y.Record("index_select", [x], g =>
            {
                ReadOnlySpan<float> gs = g.Span;
                var gx = x.GradSpanForAccumulate();
                if (inner == 1)
                {
                    for (int o = 0; o < outer; o++)
                        for (int j = 0; j < m; j++) gx[o * n + idx[j]] += gs[o * m + j];
                    return;
                }
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < m; j++)
                    {
                        var d = gx.Slice((o * n + idx[j]) * inner, inner);
                        TensorPrimitives.Add(d, gs.Slice((o * m + j) * inner, inner), d);
                    }
            });
        }
        return y;
    }

    /// <summary>
    /// Element-wise gather along <paramref name="axis"/> (PyTorch <c>gather</c>): y[…, j, …] = x[…, index[…, j, …], …].
    /// x: (…, n, …); index: same rank and the same lengths as x on every other axis, any length m on
    /// <paramref name="axis"/>; y has the shape of index. Backward scatter-adds dy into dx.
    /// </summary>
    /// <example><c>Ops.Gather(logits, 1, targets)  // logits (B, C), targets (B, 1) → (B, 1)</c></example>
    public static Tensor Gather(Tensor x, int axis, IntTensor index)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        bool ok = index.Rank == x.Rank;
        for (int i = 0; ok && i < x.Rank; i++) ok = i == a || index.Shape[i] == x.ShapeRef[i];
        if (!ok) throw new ArgumentException($"Gather along axis {axis}: index shape {ShapeUtil.Format(index.Shape)} must match x {ShapeUtil.Format(x.Shape)} on every other axis.", nameof(index));
        var (outer, n, inner) = AxisLoops.Split(x.ShapeRef, a);
        int m = index.Shape[a];
        var idx = index.Data;
        for (int j = 0; j < idx.Length; j++)
            if ((uint)idx[j] >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(index), $"Gather: index {idx[j]} at flat position {j} is outside axis {axis} of {ShapeUtil.Format(x.Shape)} (length {n}).");
        var y = Tensor.Empty(index.Shape);
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
            {
                int row = (o * m + j) * inner;
                for (int i = 0; i < inner; i++) ys[row + i] = xs[(o * n + idx[row + i]) * inner + i];
            }
        if (Autograd.ShouldRecord(x))
        {
            y.Record("gather", [x], g =>
            {
                ReadOnlySpan<float> gs = g.Span;
                var gx = x.GradSpanForAccumulate();
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < m; j++)
                    {
                        int row = (o * m + j) * inner;
                        for (int i = 0; i < inner; i++) gx[(o * n + idx[row + i]) * inner + i] += gs[row + i];
                    }
            });
        }
        return y;
    }

    /// <summary>
    /// y = x where the mask is false, <paramref name="value"/> where it is true. x: any shape; mask broadcasts to x.
    /// Backward: dx += dy where the mask is false.
    /// </summary>
    /// <example><c>Ops.MaskedFill(scores, padMask, float.NegativeInfinity)</c></example>
    public static Tensor MaskedFill(Tensor x, MaskTensor mask, float value)
    {
        var y = Tensor.Empty(x.ShapeRef);
        x.Span.CopyTo(y.Span);
        SelectRows(mask, x.ShapeRef, value, default, default, y.Span, whereTrue: true);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("masked_fill", [x], g =>
            {
                var t = Tensor.Empty(x.ShapeRef).Span;
                g.Span.CopyTo(t);
                SelectRows(mask, x.ShapeRef, 0f, default, default, t, whereTrue: true);
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.Add(gx, t, gx);
            });
        }
        return y;
    }

    /// <summary>
    /// y = cond ? a : b elementwise, all three broadcast together (NumPy rules). Backward: da += dy where cond,
    /// db += dy where not, each reduced over its broadcast axes.
    /// </summary>
    public static Tensor Where(MaskTensor cond, Tensor a, Tensor b)
    {
        var shape = ShapeUtil.BroadcastShapes(ShapeUtil.BroadcastShapes(cond.Shape, a.Shape), b.Shape);
        var y = Tensor.Zeros(shape);
        AxisLoops.AddBroadcast(a.Span, a.ShapeRef, y.Span, shape);
        SelectRows(cond, shape, 0f, b.Span, b.ShapeRef, y.Span, whereTrue: false);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("where", [a, b], g =>
            {
                var t = Tensor.Empty(shape).Span;
                if (a.RequiresGrad)
                {
                    g.Span.CopyTo(t);
                    SelectRows(cond, shape, 0f, default, default, t, whereTrue: false);
                    Broadcasting.AccumulateReduced(t, shape, a.GradSpanForAccumulate(), a.ShapeRef);
                }
                if (b.RequiresGrad)
                {
                    g.Span.CopyTo(t);
                    SelectRows(cond, shape, 0f, default, default, t, whereTrue: true);
                    Broadcasting.AccumulateReduced(t, shape, b.GradSpanForAccumulate(), b.ShapeRef);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Overwrites the elements of <paramref name="dst"/> (shape <paramref name="shape"/>) where the broadcast mask
    /// equals <paramref name="whereTrue"/>: with <paramref name="src"/> broadcast from <paramref name="srcShape"/>,
    /// or with <paramref name="value"/> when src is empty.
    /// </summary>
    private static void SelectRows(MaskTensor mask, int[] shape, float value, ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, Span<float> dst, bool whereTrue)
    {
        var joined = ShapeUtil.BroadcastShapes(mask.Shape, shape);
        if (!joined.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"Mask of shape {ShapeUtil.Format(mask.Shape)} does not broadcast to {ShapeUtil.Format(shape)}.", nameof(mask));
        bool useSrc = !src.IsEmpty; // an empty source means an empty output: no row runs
        var ms = Broadcasting.AlignedStrides(mask.Shape, shape);
        var ss = useSrc ? Broadcasting.AlignedStrides(srcShape, shape) : new int[shape.Length];
        var (rows, inner) = AxisLoops.Rows(shape);
        int mIn = shape.Length == 0 ? 0 : ms[^1], sIn = shape.Length == 0 ? 0 : ss[^1];
        Span<int> idx = stackalloc int[Math.Max(1, shape.Length)];
        int mo = 0, so = 0;
        byte[] md = mask.Data;
        byte hit = whereTrue ? (byte)1 : (byte)0;
        for (int r = 0; r < rows; r++)
        {
            var d = dst.Slice(r * inner, inner);
            for (int i = 0; i < inner; i++)
            {
                if ((md[mo + i * mIn] != 0 ? (byte)1 : (byte)0) != hit) continue;
                d[i] = useSrc ? src[so + i * sIn] : value;
            }
            AxisLoops.NextRow(shape, idx, ms, ref mo, ss, ref so);
        }
    }
}
