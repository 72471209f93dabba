using System.Runtime.CompilerServices;
using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

public static partial class OptimizerSteps
{
    /// <summary>
    /// SGD with momentum (PyTorch convention, no dampening): g' = g + l2 · w; v = μ · v + g';
    /// w −= lr · (nesterov ? g' + μ · v : v). All spans have w's length.
    /// </summary>
    /// <param name="w">Weights, updated in place.</param>
    /// <param name="g">Gradient.</param>
    /// <param name="velocity">Momentum buffer v, updated in place (start at zeros).</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="l2">Coupled L2 coefficient added to the gradient.</param>
    /// <param name="nesterov">Use the Nesterov look-ahead form.</param>
    public static void SgdMomentum(Span<float> w, ReadOnlySpan<float> g, Span<float> velocity, float lr, float momentum, float l2, bool nesterov)
        => ElementwiseDriver.Update(new SgdMomentumOp(lr, momentum, l2, nesterov), w, g, velocity);

    /// <summary>
    /// FTRL-Proximal, per coordinate (McMahan et al. 2013, "Ad Click Prediction: a View from the Trenches", Alg. 1):
    /// σ = (√(n + g²) − √n) / α; z += g − σ · w; n += g²;
    /// w = |z| ≤ λ1 ? 0 : −(z − sign(z) · λ1) / ((β + √n) / α + λ2). Sparse by construction (L1 zeroes weights).
    /// </summary>
    /// <param name="w">Weights, overwritten from z and n.</param>
    /// <param name="g">Gradient.</param>
    /// <param name="z">FTRL z state (start at zeros).</param>
    /// <param name="n">Sum of squared gradients (start at zeros).</param>
    /// <param name="alpha">Learning-rate scale α.</param>
    /// <param name="beta">Learning-rate smoothing β (1 is usual).</param>
    /// <param name="l1">λ1, the L1 strength.</param>
    /// <param name="l2">λ2, the L2 strength.</param>
    public static void Ftrl(Span<float> w, ReadOnlySpan<float> g, Span<float> z, Span<float> n, float alpha, float beta, float l1, float l2)
        => ElementwiseDriver.Update(new FtrlOp(alpha, beta, l1, l2), w, g, z, n);

    /// <summary>FTRL-Proximal (see <see cref="Ftrl"/>) on rows <paramref name="rows"/> (distinct) of a V × dim table.</summary>
    /// <param name="w">Weights (V × dim).</param>
    /// <param name="g">Table-shaped gradient (V × dim).</param>
    /// <param name="z">z state (V × dim).</param>
    /// <param name="n">n state (V × dim).</param>
    /// <param name="dim">Row width D.</param>
    /// <param name="rows">Rows touched this step.</param>
    /// <param name="alpha">Learning-rate scale α.</param>
    /// <param name="beta">Learning-rate smoothing β.</param>
    /// <param name="l1">λ1.</param>
    /// <param name="l2">λ2.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FtrlRows(Span<float> w, ReadOnlySpan<float> g, Span<float> z, Span<float> n, int dim, ReadOnlySpan<int> rows,
        float alpha, float beta, float l1, float l2)
    {
        var op = new FtrlOp(alpha, beta, l1, l2);
        foreach (int r in rows)
        {
            int o = r * dim;
            ElementwiseDriver.Update(op, w.Slice(o, dim), g.Slice(o, dim), z.Slice(o, dim), n.Slice(o, dim));
        }
    }
}
