using System.Runtime.CompilerServices;
using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

/// <summary>
/// Parameter-update kernels, dense (whole span) and sparse (only the listed rows of a row-major V × D table,
/// with their optimizer state). Each reads the gradient, updates state and weights in place in one fused pass
/// (Vector512/Vector256/scalar through <see cref="ElementwiseDriver"/>); naive twins:
/// <see cref="Reference.OptimizerStepsReference"/>.
/// </summary>
public static partial class OptimizerSteps
{
    /// <summary>
    /// Adam/AdamW on one span. g' = g + l2 · w (coupled L2, Adam); m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
    /// w −= lr · (m / biasCorrection1) / (√(v / biasCorrection2) + eps) + lr · decoupledDecay · w (AdamW).
    /// biasCorrection_i = 1 − β_i^t for step t ≥ 1.
    /// </summary>
    public static void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2,
        float eps, float l2, float decoupledDecay, float biasCorrection1, float biasCorrection2)
        => ElementwiseDriver.Update(new AdamOp(lr, beta1, beta2, eps, l2, decoupledDecay, biasCorrection1, biasCorrection2), w, g, m, v);

    /// <summary>Adam/AdamW applied to rows <paramref name="rows"/> (distinct) of a V × dim table and its state; g is the table-shaped gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdamRows(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, int dim, ReadOnlySpan<int> rows,
        float lr, float beta1, float beta2, float eps, float l2, float decoupledDecay, float biasCorrection1, float biasCorrection2)
    {
        var op = new AdamOp(lr, beta1, beta2, eps, l2, decoupledDecay, biasCorrection1, biasCorrection2);
        foreach (int r in rows)
        {
            int o = r * dim;
            ElementwiseDriver.Update(op, w.Slice(o, dim), g.Slice(o, dim), m.Slice(o, dim), v.Slice(o, dim));
        }
    }

    /// <summary>Adagrad: g' = g + l2 · w; acc += g'²; w −= lr · g' / (√acc + eps).</summary>
    public static void Adagrad(Span<float> w, ReadOnlySpan<float> g, Span<float> acc, float lr, float eps, float l2)
        => ElementwiseDriver.Update(new AdagradOp(lr, eps, l2), w, g, acc);

    /// <summary>Adagrad on rows <paramref name="rows"/> (distinct) of a V × dim table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdagradRows(Span<float> w, ReadOnlySpan<float> g, Span<float> acc, int dim, ReadOnlySpan<int> rows, float lr, float eps, float l2)
    {
        var op = new AdagradOp(lr, eps, l2);
        foreach (int r in rows)
        {
            int o = r * dim;
            ElementwiseDriver.Update(op, w.Slice(o, dim), g.Slice(o, dim), acc.Slice(o, dim));
        }
    }
}
