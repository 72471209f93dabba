using Cascade.Tensors;

namespace Cascade.Nn.Functional;

internal static partial class LayerOps
{
    /// <summary>
    /// Layer normalisation over the last axis: x (…, C) → (x − μ_row) / √(σ²_row + eps) · γ + β, γ and β (C).
    /// Backward per row with x̂ the normalised input and d = dy · γ:
    /// dx = (d − mean(d) − x̂ · mean(d · x̂)) / √(σ² + eps); dγ = Σ_rows dy · x̂; dβ = Σ_rows dy.
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, float eps)
    {
        int c = gamma.Size;
        if (x.Rank == 0 || x.Dim(-1) != c || beta.Size != c)
            throw new ArgumentException($"LayerNorm: input {ShapeUtil.Format(x.Shape)} must end with {c} features matching gamma {ShapeUtil.Format(gamma.Shape)} and beta {ShapeUtil.Format(beta.Shape)}.");
        int rows = x.Size / Math.Max(c, 1);
        var y = Tensor.Empty(x.ShapeRef);
        var xhat = Tensor.Empty(x.ShapeRef);
        var invStd = Tensor.Empty([rows]);
        ReadOnlySpan<float> xs = x.Span, gs = gamma.Span, bs = beta.Span;
        Span<float> ys = y.Span, hs = xhat.Span, inv = invStd.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = xs.Slice(r * c, c);
            float mean = System.Numerics.Tensors.TensorPrimitives.Sum(row) / c;
            float var = 0f;
            for (int j = 0; j < c; j++) { float d = row[j] - mean; var += d * d; }
            var /= c;
            float s = 1f / MathF.Sqrt(var + eps);
            inv[r] = s;
            var h = hs.Slice(r * c, c);
            var o = ys.Slice(r * c, c);
            for (int j = 0; j < c; j++)
            {
                h[j] = (row[j] - mean) * s;
                o[j] = h[j] * gs[j] + bs[j];
            }
        }
        if (Autograd.ShouldRecord([x, gamma, beta]))
        {
            y.Record("layer_norm", [x, gamma, beta], g =>
            {
                ReadOnlySpan<float> dy = g.Span, h = xhat.Span, gam = gamma.Span, iv = invStd.Span;
                if (gamma.RequiresGrad || beta.RequiresGrad)
                {
                    var dg = gamma.RequiresGrad ? gamma.GradSpanForAccumulate() : Span<float>.Empty;
                    var db = beta.RequiresGrad ? beta.GradSpanForAccumulate() : Span<float>.Empty;
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < c; j++)
                        {
                            int i = r * c + j;
                            if (!dg.IsEmpty) dg[j] += dy[i] * h[i];
                            if (!db.IsEmpty) db[j] += dy[i];
                        }
                }
                if (!x.RequiresGrad) return;
                var dx = x.GradSpanForAccumulate();
                for (int r = 0; r < rows; r++)
                {
                    float sumD = 0f, sumDh = 0f;
                    for (int j = 0; j < c; j++)
                    {
                        int i = r * c + j;
                        float d = dy[i] * gam[j];
                        sumD += d;
                        sumDh += d * h[i];
                    }
                    float meanD = sumD / c, meanDh = sumDh / c;
                    for (int j = 0; j < c; j++)
                    {
                        int i = r * c + j;
                        dx[i] += (dy[i] * gam[j] - meanD - h[i] * meanDh) * iv[r];
                    }
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Batch normalisation over all leading axes of x (…, C): each channel is normalised with the batch mean and
    /// biased variance (training) or with <paramref name="runningMean"/>/<paramref name="runningVar"/> (evaluation),
    /// then scaled by γ and shifted by β when given. In training the running statistics move by
    /// <paramref name="momentum"/>: r ← (1 − m)·r + m·batch (the variance with Bessel's correction n/(n − 1)).
    /// Backward (training) per channel with d = dy · γ: dx = (d − mean(d) − x̂ · mean(d · x̂)) / √(σ² + eps);
    /// in evaluation the statistics are constants, so dx = d / √(σ_running² + eps).
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps)
    {
        int c = runningMean.Size;
        if (x.Rank == 0 || x.Dim(-1) != c)
            throw new ArgumentException($"BatchNorm: input {ShapeUtil.Format(x.Shape)} must end with the {c} channels of the running statistics.");
        int n = x.Size / Math.Max(c, 1);
        if (training && n < 2)
            throw new ArgumentException($"BatchNorm in training mode needs at least 2 rows per channel to estimate a variance; got input {ShapeUtil.Format(x.Shape)}.");
        var mean = Tensor.Empty([c]);
        var invStd = Tensor.Empty([c]);
        ReadOnlySpan<float> xs = x.Span;
        Span<float> mu = mean.Span, iv = invStd.Span;
        if (training)
        {
            mu.Clear();
            for (int r = 0; r < n; r++) System.Numerics.Tensors.TensorPrimitives.Add(mu, xs.Slice(r * c, c), mu);
            System.Numerics.Tensors.TensorPrimitives.Multiply(mu, 1f / n, mu);
            iv.Clear();
            for (int r = 0; r < n; r++)
                for (int j = 0; j < c; j++) { float d = xs[r * c + j] - mu[j]; iv[j] += d * d; }
            var rm = runningMean.Span;
            var rv = runningVar.Span;
            for (int j = 0; j < c; j++)
            {
                float var = iv[j] / n;
                rm[j] = (1f - momentum) * rm[j] + momentum * mu[j];
                rv[j] = (1f - momentum) * rv[j] + momentum * var * n / (n - 1);
                iv[j] = 1f / MathF.Sqrt(var + eps);
            }
        }
        else
        {
            runningMean.Span.CopyTo(mu);
            var rv = runningVar.Span;
            for (int j = 0; j < c; j++) iv[j] = 1f / MathF.Sqrt(rv[j] + eps);
        }
        var y = Tensor.Empty(x.ShapeRef);
        var xhat = Tensor.Empty(x.ShapeRef);
        Span<float> ys = y.Span, hs = xhat.Span;
        ReadOnlySpan<float> gam = gamma is null ? default : gamma.Span, bet = beta is null ? default : beta.Span;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < c; j++)
            {
                int i = r * c + j;
                float h = (xs[i] - mu[j]) * iv[j];
                hs[i] = h;
                ys[i] = (gamma is null ? h : h * gam[j]) + (beta is null ? 0f : bet[j]);
            }
        bool record = Autograd.IsEnabled && (x.RequiresGrad || gamma?.RequiresGrad == true || beta?.RequiresGrad == true);
        if (record)
        {
            Tensor[] inputs = gamma is null ? [x] : beta is null ? [x, gamma] : [x, gamma, beta];
            y.Record("batch_norm", inputs, g => BatchNormBackward(g, x, gamma, beta, xhat, invStd, training, n, c));
        }
        return y;
    }

    private static void BatchNormBackward(Tensor g, Tensor x, Tensor? gamma, Tensor? beta, Tensor xhat, Tensor invStd, bool training, int n, int c)
    {
        ReadOnlySpan<float> dy = g.Span, h = xhat.Span, iv = invStd.Span;
        ReadOnlySpan<float> gam = gamma is null ? default : gamma.Span;
        if (gamma?.RequiresGrad == true)
        {
            var dg = gamma.GradSpanForAccumulate();
            for (int r = 0; r < n; r++) for (int j = 0; j < c; j++) dg[j] += dy[r * c + j] * h[r * c + j];
        }
        if (beta?.RequiresGrad == true)
        {
            var db = beta.GradSpanForAccumulate();
            for (int r = 0; r < n; r++) System.Numerics.Tensors.TensorPrimitives.Add(db, dy.Slice(r * c, c), db);
        }
        if (!x.RequiresGrad) return;
        var dx = x.GradSpanForAccumulate();
        if (!training)
        {
            for (int r = 0; r < n; r++)
                for (int j = 0; j < c; j++) dx[r * c + j] += dy[r * c + j] * (gamma is null ? 1f : gam[j]) * iv[j];
            return;
        }
        Span<float> sumD = c <= 512 ? stackalloc float[c] : new float[c];
        Span<float> sumDh = c <= 512 ? stackalloc float[c] : new float[c];
        sumD.Clear();
        sumDh.Clear();
        for (int r = 0; r < n; r++)
            for (int j = 0; j < c; j++)
            {
                int i = r * c + j;
                float d = dy[i] * (gamma is null ? 1f : gam[j]);
                sumD[j] += d;
                sumDh[j] += d * h[i];
            }
        for (int r = 0; r < n; r++)
            for (int j = 0; j < c; j++)
            {
                int i = r * c + j;
                float d = dy[i] * (gamma is null ? 1f : gam[j]);
                dx[i] += (d - sumD[j] / n - h[i] * sumDh[j] / n) * iv[j];
            }
    }
}
