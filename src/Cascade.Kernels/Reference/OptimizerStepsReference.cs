namespace Cascade.Kernels.Reference;

/// <summary>
/// Parameter-update kernels, dense (whole span) and sparse (only the listed rows of a row-major V × D table,
/// with their optimizer state). Each reads the gradient, updates state and weights in place.
/// Naive scalar twin of <see cref="Cascade.Kernels.OptimizerSteps"/>: the test oracle and benchmark baseline.
/// </summary>
public static class OptimizerStepsReference
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

    /// <summary>SGD with momentum: g' = g + l2 · w; v = μ · v + g'; w −= lr · (nesterov ? g' + μ · v : v).</summary>
    public static void SgdMomentum(Span<float> w, ReadOnlySpan<float> g, Span<float> velocity, float lr, float momentum, float l2, bool nesterov)
    {
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + l2 * w[i];
            velocity[i] = momentum * velocity[i] + gi;
            w[i] -= lr * (nesterov ? gi + momentum * velocity[i] : velocity[i]);
        }
    }

    /// <summary>
    /// FTRL-Proximal: σ = (√(n + g²) − √n) / α; z += g − σ · w; n += g²;
    /// w = |z| ≤ λ1 ? 0 : −(z − sign(z) · λ1) / ((β + √n) / α + λ2).
    /// </summary>
    public static void Ftrl(Span<float> w, ReadOnlySpan<float> g, Span<float> z, Span<float> n, float alpha, float beta, float l1, float l2)
    {
        float invAlpha = 1f / alpha;
        for (int i = 0; i < w.Length; i++)
        {
            float nNew = n[i] + g[i] * g[i];
            float sigma = (MathF.Sqrt(nNew) - MathF.Sqrt(n[i])) * invAlpha;
            z[i] += g[i] - sigma * w[i];
            n[i] = nNew;
            if (MathF.Abs(z[i]) <= l1) { w[i] = 0f; continue; }
            float sign = z[i] > 0f ? 1f : -1f;
            w[i] = -(z[i] - sign * l1) / ((beta + MathF.Sqrt(n[i])) * invAlpha + l2);
        }
    }

    /// <summary>FTRL-Proximal on rows <paramref name="rows"/> (distinct) of a V × dim table.</summary>
    public static void FtrlRows(Span<float> w, ReadOnlySpan<float> g, Span<float> z, Span<float> n, int dim, ReadOnlySpan<int> rows,
        float alpha, float beta, float l1, float l2)
    {
        foreach (int r in rows)
        {
            int o = r * dim;
            Ftrl(w.Slice(o, dim), g.Slice(o, dim), z.Slice(o, dim), n.Slice(o, dim), alpha, beta, l1, l2);
        }
    }
}
