using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Sum over one axis: y[…, …] = Σₖ x[…, k, …]. x: (d₀, …, dₐ, …); y drops axis a, or keeps it as 1 with
    /// <paramref name="keepDim"/>. Backward broadcasts dy back along the axis.
    /// </summary>
    /// <example><c>Ops.Sum(x, 1)  // (B, L, D) → (B, D)</c></example>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => SumAxes(x, [axis], keepDim, mean: false);

    /// <summary>Sum over several axes at once (any order, no repeats); shapes as in <see cref="Sum(Tensor, int, bool)"/>.</summary>
    public static Tensor Sum(Tensor x, int[] axes, bool keepDim = false) => SumAxes(x, axes, keepDim, mean: false);

    /// <summary>Mean over one axis: Σₖ x[…, k, …] / dₐ. Backward: dy / dₐ broadcast along the axis.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false) => SumAxes(x, [axis], keepDim, mean: true);

    /// <summary>Mean over several axes: the sum divided by the product of their lengths.</summary>
    public static Tensor Mean(Tensor x, int[] axes, bool keepDim = false) => SumAxes(x, axes, keepDim, mean: true);

    private static Tensor SumAxes(Tensor x, int[] axes, bool keepDim, bool mean)
    {
        var keep = x.ShapeArray; // reduced axes set to 1
        var reducedMask = new bool[x.Rank];
        long count = 1;
        foreach (int axis in axes)
        {
            int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
            if (reducedMask[a]) throw new ArgumentException($"Axis {axis} appears twice in the reduction axes [{string.Join(", ", axes)}].", nameof(axes));
            reducedMask[a] = true;
            count *= keep[a];
            keep[a] = 1;
        }
        var outShape = new List<int>(x.Rank);
        for (int i = 0; i < x.Rank; i++) if (keepDim || !reducedMask[i]) outShape.Add(keep[i]);
        var y = Tensor.Zeros(outShape.ToArray());
        Broadcasting.AccumulateReduced(x.Span, x.ShapeRef, y.Span, keep);
        float scale = mean ? (count == 0 ? float.NaN : 1f / count) : 1f;
        if (mean) TensorPrimitives.Multiply(y.Span, scale, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record(mean ? "mean_axes" : "sum_axes", [x], g =>
            {
                var gs = g.Span;
                if (mean)
                {
                    var t = Tensor.Empty(g.ShapeRef);
                    TensorPrimitives.Multiply(gs, scale, t.Span);
                    gs = t.Span;
                }
                AxisLoops.AddBroadcast(gs, keep, x.GradSpanForAccumulate(), x.ShapeRef);
            });
        }
        return y;
    }

    /// <summary>
    /// Maximum over one axis; shapes as in <see cref="Sum(Tensor, int, bool)"/>. Backward routes dy to the position
    /// of the maximum (the first one on ties), as PyTorch's <c>max(dim)</c> does.
    /// </summary>
    public static Tensor Max(Tensor x, int axis, bool keepDim = false) => Extremum(x, axis, keepDim, max: true);

    /// <summary>Maximum over several axes (reduced one after another, so ties resolve to the first index per axis).</summary>
    public static Tensor Max(Tensor x, int[] axes, bool keepDim = false) => ExtremumAxes(x, axes, keepDim, max: true);

    /// <summary>Minimum over one axis; gradient to the first position of the minimum.</summary>
    public static Tensor Min(Tensor x, int axis, bool keepDim = false) => Extremum(x, axis, keepDim, max: false);

    /// <summary>Minimum over several axes (reduced one after another).</summary>
    public static Tensor Min(Tensor x, int[] axes, bool keepDim = false) => ExtremumAxes(x, axes, keepDim, max: false);

    /// <summary>Index of the maximum along <paramref name="axis"/> (first on ties) → IntTensor with the axis dropped or kept as 1.</summary>
    public static IntTensor ArgMax(Tensor x, int axis = -1, bool keepDim = false) => ArgExtremum(x, axis, keepDim, max: true);

    /// <summary>Index of the minimum along <paramref name="axis"/> (first on ties).</summary>
    public static IntTensor ArgMin(Tensor x, int axis = -1, bool keepDim = false) => ArgExtremum(x, axis, keepDim, max: false);

    private static Tensor ExtremumAxes(Tensor x, int[] axes, bool keepDim, bool max)
    {
        var sorted = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) sorted[i] = ShapeUtil.NormalizeAxis(axes[i], x.Rank);
        Array.Sort(sorted);
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i] == sorted[i - 1]) throw new ArgumentException($"Axis {sorted[i]} appears twice in the reduction axes [{string.Join(", ", axes)}].", nameof(axes));
        var y = x;
        for (int i = sorted.Length - 1; i >= 0; i--) y = Extremum(y, sorted[i], keepDim, max); // back to front keeps lower axis numbers valid
        return y;
    }

    private static Tensor Extremum(Tensor x, int axis, bool keepDim, bool max)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = AxisLoops.Split(x.ShapeRef, a);
        if (n == 0) throw new ArgumentException($"{(max ? "Max" : "Min")} over axis {axis} of shape {ShapeUtil.Format(x.Shape)}: the axis is empty.", nameof(x));
        var y = Tensor.Empty(AxisLoops.Reduced(x.ShapeRef, a, keepDim));
        var arg = Tensor.Empty([outer * inner]); // winning k per output, stored as float (exact below 2²⁴)
        ExtremumForward(x.Span, outer, n, inner, max, y.Span, arg.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record(max ? "max_axis" : "min_axis", [x], g =>
            {
                ReadOnlySpan<float> gs = g.Span, ks = arg.Span;
                var gx = x.GradSpanForAccumulate();
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        gx[(o * n + (int)ks[o * inner + i]) * inner + i] += gs[o * inner + i];
            });
        }
        return y;
    }

    private static void ExtremumForward(ReadOnlySpan<float> xs, int outer, int n, int inner, bool max, Span<float> ys, Span<float> ks)
    {
        for (int o = 0; o < outer; o++)
        {
            var block = xs.Slice(o * n * inner, n * inner);
            if (inner == 1)
            {
                int k = max ? TensorPrimitives.IndexOfMax(block) : TensorPrimitives.IndexOfMin(block);
                ys[o] = block[k];
                ks[o] = k;
                continue;
            }
            var best = ys.Slice(o * inner, inner);
            var bk = ks.Slice(o * inner, inner);
            block[..inner].CopyTo(best);
            bk.Clear();
            for (int k = 1; k < n; k++)
            {
                var row = block.Slice(k * inner, inner);
                // Strict comparison keeps the first index on ties.
                for (int i = 0; i < inner; i++)
                    if (max ? row[i] > best[i] : row[i] < best[i]) { best[i] = row[i]; bk[i] = k; }
            }
        }
    }

    private static IntTensor ArgExtremum(Tensor x, int axis, bool keepDim, bool max)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = AxisLoops.Split(x.ShapeRef, a);
        if (n == 0) throw new ArgumentException($"{(max ? "ArgMax" : "ArgMin")} over axis {axis} of shape {ShapeUtil.Format(x.Shape)}: the axis is empty.", nameof(x));
        var ys = new float[outer * inner];
        var ks = new float[outer * inner];
        ExtremumForward(x.Span, outer, n, inner, max, ys, ks);
        var idx = new int[ks.Length];
        for (int i = 0; i < idx.Length; i++) idx[i] = (int)ks[i];
        return new IntTensor(idx, AxisLoops.Reduced(x.ShapeRef, a, keepDim));
    }
}
