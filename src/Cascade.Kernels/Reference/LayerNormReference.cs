namespace Cascade.Kernels.Reference;

/// <summary>Naive scalar twin of <see cref="LayerNorm"/> (double-precision row statistics).</summary>
public static class LayerNormReference
{
    /// <summary>y = γ ⊙ (x − μ) · rstd + β per row; saves μ and rstd.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int rows, int cols, float eps)
    {
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += x[o + c];
            float mu = (float)(sum / cols);
            double sq = 0;
            for (int c = 0; c < cols; c++) { double d = x[o + c] - mu; sq += d * d; }
            float rs = (float)(1.0 / Math.Sqrt(sq / cols + eps));
            mean[r] = mu;
            rstd[r] = rs;
            for (int c = 0; c < cols; c++) y[o + c] = gamma[c] * ((x[o + c] - mu) * rs) + beta[c];
        }
    }

    /// <summary>dx += rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = γ ⊙ dy; dγ += Σ dy ⊙ x̂; dβ += Σ dy.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int cols)
    {
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            double sg = 0, sgx = 0;
            for (int c = 0; c < cols; c++)
            {
                double xhat = (x[o + c] - mean[r]) * rstd[r];
                double g = gamma[c] * dy[o + c];
                sg += g; sgx += g * xhat;
                dgamma[c] += (float)(dy[o + c] * xhat);
                dbeta[c] += dy[o + c];
            }
            double meanG = sg / cols, meanGx = sgx / cols;
            for (int c = 0; c < cols; c++)
            {
                double xhat = (x[o + c] - mean[r]) * rstd[r];
                dx[o + c] += (float)(rstd[r] * (gamma[c] * dy[o + c] - meanG - xhat * meanGx));
            }
        }
    }
}
