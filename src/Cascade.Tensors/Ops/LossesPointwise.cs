using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Binary cross-entropy on logits, numerically stable for any |x|:
    /// ℓ = max(x, 0) − x·y + log(1 + e^(−|x|)) (= −[y·log σ(x) + (1 − y)·log(1 − σ(x))]).
    /// logits (…), labels (…) in [0, 1] (soft labels allowed), weights (…) or null → scalar, reduced by
    /// <paramref name="reduction"/> (Mean divides Σ w·ℓ by the element count). Backward: dℓ/dx = w·(σ(x) − y);
    /// labels and weights receive no gradient.
    /// </summary>
    /// <example><code>var loss = Ops.BinaryCrossEntropyWithLogits(logits, clicks);   // (B) → ()</code></example>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor labels, Tensor? weights = null, LossReduction reduction = LossReduction.Mean)
    {
        FusedOpSupport.CheckSameShape(logits, labels, "BinaryCrossEntropyWithLogits", "logits", "labels");
        FusedOpSupport.CheckSameShape(logits, weights, "BinaryCrossEntropyWithLogits", "logits", "weights");
        int n = logits.Size;
        float scale = FusedOpSupport.ReductionScale(reduction, n);
        ReadOnlySpan<float> x = logits.Span, y = labels.Span;
        // Vectorised: terms = log(1 + e^(−|x|)) + max(x, 0) − x·y, all through TensorPrimitives.
        var terms = Tensor.Empty([n]).Span;
        var tmp = Tensor.Empty([n]).Span;
        TensorPrimitives.Abs(x, terms);
        TensorPrimitives.Negate(terms, terms);
        TensorPrimitives.Exp(terms, terms);
        TensorPrimitives.LogP1(terms, terms);
        TensorPrimitives.Max(x, 0f, tmp);
        TensorPrimitives.Add(terms, tmp, terms);
        TensorPrimitives.Multiply(x, y, tmp);
        TensorPrimitives.Subtract(terms, tmp, terms);
        if (weights is not null) TensorPrimitives.Multiply(terms, weights.Span, terms);
        var loss = Tensor.Scalar(TensorPrimitives.Sum(terms) * scale);
        if (Autograd.ShouldRecord(logits))
        {
            loss.Record("bce_with_logits", [logits], g =>
            {
                // dx += s · w ⊙ (σ(x) − y); σ saturates to exactly 0 or 1 for |x| ≳ 88 instead of overflowing to NaN.
                var d = Tensor.Empty([n]).Span;
                TensorPrimitives.Sigmoid(logits.Span, d);
                TensorPrimitives.Subtract(d, labels.Span, d);
                if (weights is not null) TensorPrimitives.Multiply(d, weights.Span, d);
                var gx = logits.GradSpanForAccumulate();
                TensorPrimitives.MultiplyAdd(d, g.Span[0] * scale, gx, gx);
            });
        }
        return loss;
    }

    /// <summary>
    /// Mean squared error ℓ = w·(p − t)². pred (…), target (…), weights (…) or null → scalar.
    /// Backward: dp = 2·w·(p − t)·scale, dt = −dp (both differentiable, e.g. for distillation targets).
    /// </summary>
    public static Tensor Mse(Tensor pred, Tensor target, Tensor? weights = null, LossReduction reduction = LossReduction.Mean)
    {
        FusedOpSupport.CheckSameShape(pred, target, "Mse", "pred", "target");
        FusedOpSupport.CheckSameShape(pred, weights, "Mse", "pred", "weights");
        int n = pred.Size;
        float scale = FusedOpSupport.ReductionScale(reduction, n);
        ReadOnlySpan<float> p = pred.Span, t = target.Span, w = weights is null ? default : weights.Span;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double d = p[i] - t[i];
            total += weights is null ? d * d : w[i] * d * d;
        }
        var loss = Tensor.Scalar((float)(total * scale));
        if (Autograd.ShouldRecord(pred, target))
        {
            loss.Record("mse", [pred, target], g =>
            {
                float s = 2f * g.Span[0] * scale;
                ReadOnlySpan<float> ps = pred.Span, ts = target.Span, ws = weights is null ? default : weights.Span;
                var gp = pred.RequiresGrad ? pred.GradSpanForAccumulate() : default;
                var gt = target.RequiresGrad ? target.GradSpanForAccumulate() : default;
                for (int i = 0; i < ps.Length; i++)
                {
                    float d = s * (ps[i] - ts[i]) * (weights is null ? 1f : ws[i]);
                    if (!gp.IsEmpty) gp[i] += d;
                    if (!gt.IsEmpty) gt[i] -= d;
                }
            });
        }
        return loss;
    }

    /// <summary>
    /// Pairwise logistic (RankNet/BPR) loss ℓ = log(1 + exp(−(s⁺ − s⁻))), computed stably as
    /// softplus(−Δ) = max(−Δ, 0) + log(1 + e^(−|Δ|)). sPos (…), sNeg (…), weights (…) or null → scalar.
    /// Backward: dℓ/ds⁺ = −w·σ(−Δ), dℓ/ds⁻ = +w·σ(−Δ).
    /// </summary>
    public static Tensor PairwiseLogistic(Tensor sPos, Tensor sNeg, Tensor? weights = null, LossReduction reduction = LossReduction.Mean)
    {
        FusedOpSupport.CheckSameShape(sPos, sNeg, "PairwiseLogistic", "sPos", "sNeg");
        FusedOpSupport.CheckSameShape(sPos, weights, "PairwiseLogistic", "sPos", "weights");
        int n = sPos.Size;
        float scale = FusedOpSupport.ReductionScale(reduction, n);
        ReadOnlySpan<float> a = sPos.Span, b = sNeg.Span, w = weights is null ? default : weights.Span;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            float m = b[i] - a[i]; // −Δ
            double l = MathF.Max(m, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(m)));
            total += weights is null ? l : w[i] * l;
        }
        var loss = Tensor.Scalar((float)(total * scale));
        if (Autograd.ShouldRecord(sPos, sNeg))
        {
            loss.Record("pairwise_logistic", [sPos, sNeg], g =>
            {
                float s = g.Span[0] * scale;
                ReadOnlySpan<float> ps = sPos.Span, ns = sNeg.Span, ws = weights is null ? default : weights.Span;
                var gp = sPos.RequiresGrad ? sPos.GradSpanForAccumulate() : default;
                var gn = sNeg.RequiresGrad ? sNeg.GradSpanForAccumulate() : default;
                for (int i = 0; i < ps.Length; i++)
                {
                    float d = s * FusedOpSupport.StableSigmoid(ns[i] - ps[i]) * (weights is null ? 1f : ws[i]);
                    if (!gp.IsEmpty) gp[i] -= d;
                    if (!gn.IsEmpty) gn[i] += d;
                }
            });
        }
        return loss;
    }
}
