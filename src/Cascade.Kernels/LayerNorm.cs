using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

/// <summary>
/// Layer normalisation over the last axis of a (rows × cols) row-major matrix (Ba et al. 2016):
/// μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ) · rstd with rstd = 1/√(σ² + eps), y = γ ⊙ x̂ + β.
/// Forward saves μ and rstd per row for the backward. Backward ACCUMULATES into dx, dγ and dβ.
/// Naive twin: <see cref="Reference.LayerNormReference"/>.
/// </summary>
public static class LayerNorm
{
    /// <summary>y[r, :] = γ ⊙ (x[r, :] − μ_r) · rstd_r + β; writes mean[r] = μ_r and rstd[r].</summary>
    /// <param name="x">Input (rows × cols).</param>
    /// <param name="gamma">Scale γ (cols).</param>
    /// <param name="beta">Shift β (cols).</param>
    /// <param name="y">Output (rows × cols).</param>
    /// <param name="mean">Per-row mean (rows), saved for the backward.</param>
    /// <param name="rstd">Per-row 1/√(σ² + eps) (rows), saved for the backward.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Normalised width.</param>
    /// <param name="eps">Variance floor, e.g. 1e-5.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int rows, int cols, float eps)
    {
        Check(x.Length, y.Length, gamma.Length, beta.Length, mean.Length, rstd.Length, rows, cols);
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float mu = TensorPrimitives.Sum(xr) / cols;
            // Two-pass variance (Σ (x − μ)²), not E[x²] − μ², which cancels catastrophically when |μ| ≫ σ.
            float var = ElementwiseDriver.Sum(new SquaredDeviationOp(mu), xr, xr) / cols;
            float rs = 1f / MathF.Sqrt(var + eps);
            mean[r] = mu;
            rstd[r] = rs;
            ElementwiseDriver.Map(new NormalizeAffineOp(mu, rs), xr, gamma, beta, yr);
        }
    }

    /// <summary>
    /// With x̂ = (x − μ) · rstd and ĝ = γ ⊙ dy: dx += rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)); dγ += Σ_rows dy ⊙ x̂;
    /// dβ += Σ_rows dy.
    /// </summary>
    /// <param name="x">Forward input (rows × cols).</param>
    /// <param name="mean">Saved per-row mean (rows).</param>
    /// <param name="rstd">Saved per-row rstd (rows).</param>
    /// <param name="gamma">Scale γ (cols).</param>
    /// <param name="dy">Output gradient (rows × cols).</param>
    /// <param name="dx">Input gradient (rows × cols), accumulated.</param>
    /// <param name="dgamma">γ gradient (cols), accumulated.</param>
    /// <param name="dbeta">β gradient (cols), accumulated.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Normalised width.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int cols)
    {
        Check(x.Length, dx.Length, gamma.Length, dgamma.Length, mean.Length, rstd.Length, rows, cols);
        Check(dy.Length, dx.Length, dbeta.Length, gamma.Length, mean.Length, rstd.Length, rows, cols);
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float mu = mean[r], rs = rstd[r];
            // One fused pass over the row for both means, and dγ/dβ accumulated in the same sweep.
            var sums = new LayerNormSums(mu, rs);
            sums.Accumulate(xr, gamma, dyr, dgamma, dbeta);
            float meanG = sums.SumG / cols, meanGx = sums.SumGx / cols;
            ElementwiseDriver.Map(new LayerNormInputGradOp(mu, rs, meanG, meanGx), xr, gamma, dyr, dxr, dxr);
        }
    }

    private static void Check(int xLen, int yLen, int gLen, int bLen, int meanLen, int rstdLen, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"LayerNorm: rows ({rows}) and cols ({cols}) must be non-negative.");
        long need = (long)rows * cols;
        if (xLen < need || yLen < need) throw new ArgumentException($"LayerNorm: {rows}×{cols} needs {need} elements but the row-major spans hold {xLen} and {yLen}.");
        if (gLen < cols || bLen < cols) throw new ArgumentException($"LayerNorm: per-column spans need {cols} elements but hold {gLen} and {bLen}.");
        if (meanLen < rows || rstdLen < rows) throw new ArgumentException($"LayerNorm: mean/rstd need {rows} elements but hold {meanLen} and {rstdLen}.");
    }
}
