namespace Cascade.Kernels;

/// <summary>
/// Parameter-update kernels, dense (whole span) and sparse (only the listed rows of a row-major V × D table,
/// with their optimizer state). Each reads the gradient, updates state and weights in place.
/// </summary>
public static class OptimizerSteps
{
    /// <summary>
    /// Adam/AdamW on one span. g' = g + l2 · w (coupled L2, Adam); m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
    /// w −= lr · (m / biasCorrection1) / (√(v / biasCorrection2) + eps) + lr · decoupledDecay · w (AdamW).
    /// biasCorrection_i = 1 − β_i^t for step t ≥ 1.
    /// </summary>
    public static void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2,
        float eps, float l2, float decoupledDecay, float biasCorrection1, float biasCorrection2)
    {
        float invBc1 = 1f / biasCorrection1, invSqrtBc2 = 1f / MathF.Sqrt(biasCorrection2);
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + l2 * w[i];
            m[i] = beta1 * m[i] + (1f - beta1) * gi;
            v[i] = beta2 * v[i] + (1f - beta2) * gi * gi;
            float update = m[i] * invBc1 / (MathF.Sqrt(v[i]) * invSqrtBc2 + eps);
            w[i] -= lr * (update + decoupledDecay * w[i]);
        }
    }

    /// <summary>Adam/AdamW applied to rows <paramref name="rows"/> (distinct) of a V × dim table and its state; g is the table-shaped gradient.</summary>
    public static void AdamRows(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, int dim, ReadOnlySpan<int> rows,
        float lr, float beta1, float beta2, float eps, float l2, float decoupledDecay, float biasCorrection1, float biasCorrection2)
    {
        foreach (int r in rows)
        {
            int o = r * dim;
            Adam(w.Slice(o, dim), g.Slice(o, dim), m.Slice(o, dim), v.Slice(o, dim), lr, beta1, beta2, eps, l2, decoupledDecay, biasCorrection1, biasCorrection2);
        }
    }

    /// <summary>Adagrad: g' = g + l2 · w; acc += g'²; w −= lr · g' / (√acc + eps).</summary>
    public static void Adagrad(Span<float> w, ReadOnlySpan<float> g, Span<float> acc, float lr, float eps, float l2)
    {
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + l2 * w[i];
            acc[i] += gi * gi;
            w[i] -= lr * gi / (MathF.Sqrt(acc[i]) + eps);
        }
    }

    /// <summary>Adagrad on rows <paramref name="rows"/> (distinct) of a V × dim table.</summary>
    public static void AdagradRows(Span<float> w, ReadOnlySpan<float> g, Span<float> acc, int dim, ReadOnlySpan<int> rows, float lr, float eps, float l2)
    {
        foreach (int r in rows)
        {
            int o = r * dim;
            Adagrad(w.Slice(o, dim), g.Slice(o, dim), acc.Slice(o, dim), lr, eps, l2);
        }
    }
}
