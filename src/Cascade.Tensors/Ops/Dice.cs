using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Dice activation (DIN, Zhou et al. 2018, Eq. (8)): a data-adaptive PReLU whose switch point follows the batch
    /// statistics of each channel.
    /// <code>
    /// p = sigmoid((x − E[x]) / sqrt(Var[x] + eps))      y = p · x + (1 − p) · α · x
    /// </code>
    /// x: (…, C) — statistics per channel c of the last axis over every leading position (the batch, and the sequence
    /// for (B, L, C) inputs); alpha: (C) or one element; runningMean, runningVar: (C) buffers owned by the caller.
    /// In training E/Var are the biased batch moments, gradients flow through them (as in batch norm), and the
    /// running buffers move by runningX ← (1 − momentum) · runningX + momentum · batchX (the variance unbiased,
    /// × N/(N − 1)); in evaluation the running buffers are used and left unchanged.
    /// Backward, with h = dy · x · (1 − α) · p(1 − p) and s = 1/sqrt(Var + eps):
    /// dx = dy · (α + (1 − α) p) + s · (h − mean(h) − x̂ · mean(h · x̂)) (training; s · h in evaluation);
    /// dα = Σ dy · x · (1 − p).
    /// </summary>
    public static Tensor Dice(Tensor x, Tensor alpha, Tensor runningMean, Tensor runningVar, bool training,
        float momentum = 0.1f, float eps = 1e-8f)
    {
        if (x.Rank == 0) throw new ArgumentException("Dice needs x of shape (…, C); got a scalar.", nameof(x));
        int c = x.Dim(-1);
        int n = c == 0 ? 0 : x.Size / c;
        if (alpha.Size != 1 && alpha.Size != c)
            throw new ArgumentException($"Dice: alpha has {alpha.Size} elements; it needs 1 or one per channel ({c}) of x {ShapeUtil.Format(x.Shape)}.", nameof(alpha));
        if (runningMean.Size != c || runningVar.Size != c)
            throw new ArgumentException($"Dice: running mean/var have {runningMean.Size}/{runningVar.Size} elements; x {ShapeUtil.Format(x.Shape)} needs {c}.");
        if (training && n < 1) throw new ArgumentException("Dice in training needs at least one row to compute batch statistics.", nameof(x));

        var mean = Tensor.Empty([c]);   // (C)
        var invStd = Tensor.Empty([c]); // (C)
        var tmp = Tensor.Empty([c]);    // (C)
        ReadOnlySpan<float> xs = x.Span;
        if (training)
        {
            var mu = mean.Span;
            var v = invStd.Span;
            mu.Clear();
            v.Clear();
            for (int r = 0; r < n; r++) TensorPrimitives.Add(mu, xs.Slice(r * c, c), mu);
            TensorPrimitives.Multiply(mu, 1f / n, mu);
            for (int r = 0; r < n; r++)
            {
                TensorPrimitives.Subtract(xs.Slice(r * c, c), mu, tmp.Span);
                TensorPrimitives.MultiplyAdd(tmp.Span, tmp.Span, v, v);
            }
            TensorPrimitives.Multiply(v, 1f / n, v); // biased batch variance
            float unbias = n > 1 ? (float)n / (n - 1) : 1f;
            var rm = runningMean.Span;
            var rv = runningVar.Span;
            for (int j = 0; j < c; j++)
            {
                rm[j] = (1f - momentum) * rm[j] + momentum * mu[j];
                rv[j] = (1f - momentum) * rv[j] + momentum * v[j] * unbias;
            }
        }
        else
        {
            runningMean.Span.CopyTo(mean.Span);
            runningVar.Span.CopyTo(invStd.Span);
        }
        TensorPrimitives.Add(invStd.Span, eps, invStd.Span);
        TensorPrimitives.ReciprocalSqrt(invStd.Span, invStd.Span);

        var xhat = Tensor.Empty(x.ShapeRef); // (…, C) normalised input
        var p = Tensor.Empty(x.ShapeRef);    // (…, C) gate
        var y = Tensor.Empty(x.ShapeRef);
        var ys = y.Span;
        // Per-channel α and 1 − α, so each row is y = x ⊙ (α + (1 − α) ⊙ p) in two span calls.
        var aFull = Tensor.Empty([c]).Span;
        if (alpha.Size == 1) aFull.Fill(alpha.Span[0]);
        else alpha.Span.CopyTo(aFull);
        var oneMinusA = tmp.Span;
        TensorPrimitives.Subtract(1f, aFull, oneMinusA);
        for (int r = 0; r < n; r++)
        {
            var xr = xs.Slice(r * c, c);
            var hr = xhat.Span.Slice(r * c, c);
            TensorPrimitives.Subtract(xr, mean.Span, hr);
            TensorPrimitives.Multiply(hr, invStd.Span, hr);
            var pr = p.Span.Slice(r * c, c);
            TensorPrimitives.Sigmoid(hr, pr);
            var yr = ys.Slice(r * c, c);
            TensorPrimitives.MultiplyAdd(pr, oneMinusA, aFull, yr);
            TensorPrimitives.Multiply(yr, xr, yr);
        }
        if (Autograd.ShouldRecord(x, alpha))
            y.Record("dice", [x, alpha], g => DiceBackward(x, alpha, g, xhat, p, invStd, training));
        return y;
    }

    private static void DiceBackward(Tensor x, Tensor alpha, Tensor g, Tensor xhat, Tensor p, Tensor invStd, bool training)
    {
        int c = x.Dim(-1);
        int n = c == 0 ? 0 : x.Size / c;
        bool shared = alpha.Size == 1;
        ReadOnlySpan<float> xs = x.Span, gs = g.Span, ps = p.Span, hs = xhat.Span, a = alpha.Span, s = invStd.Span;
        var gx = x.RequiresGrad ? x.GradSpanForAccumulate() : default;
        var ga = alpha.RequiresGrad ? alpha.GradSpanForAccumulate() : default;
        var h = Tensor.Empty(x.ShapeRef).Span; // dL/dx̂ = dy · x · (1 − α) · p(1 − p)
        for (int r = 0; r < n; r++)
        {
            int o = r * c;
            for (int j = 0; j < c; j++)
            {
                float aj = shared ? a[0] : a[j];
                float pj = ps[o + j], gj = gs[o + j], xj = xs[o + j];
                h[o + j] = gj * xj * (1f - aj) * pj * (1f - pj);
                if (!gx.IsEmpty) gx[o + j] += gj * (aj + (1f - aj) * pj);
                if (!ga.IsEmpty) ga[shared ? 0 : j] += gj * xj * (1f - pj);
            }
        }
        if (gx.IsEmpty) return;
        if (!training)
        {
            for (int r = 0; r < n; r++) TensorPrimitives.MultiplyAdd(h.Slice(r * c, c), s, gx.Slice(r * c, c), gx.Slice(r * c, c));
            return;
        }
        // Batch-norm backward through the batch mean and variance.
        var mh = Tensor.Zeros([c]).Span;   // mean of h per channel
        var mhx = Tensor.Zeros([c]).Span;  // mean of h · x̂ per channel
        for (int r = 0; r < n; r++)
        {
            TensorPrimitives.Add(mh, h.Slice(r * c, c), mh);
            TensorPrimitives.MultiplyAdd(h.Slice(r * c, c), hs.Slice(r * c, c), mhx, mhx);
        }
        TensorPrimitives.Multiply(mh, 1f / n, mh);
        TensorPrimitives.Multiply(mhx, 1f / n, mhx);
        for (int r = 0; r < n; r++)
        {
            int o = r * c;
            for (int j = 0; j < c; j++) gx[o + j] += s[j] * (h[o + j] - mh[j] - hs[o + j] * mhx[j]);
        }
    }
}
