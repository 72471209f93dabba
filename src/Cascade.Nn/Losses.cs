using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Cascade.Tensors;

namespace Cascade.Nn;

/// <summary>Scalar training losses (mean over elements), each with its own fused backward.</summary>
public static class Losses
{
    /// <summary>
    /// Binary cross-entropy on logits, mean over elements: ℓ = mean(max(x, 0) − x·y + log(1 + e^(−|x|))), the stable
    /// form of −y·log σ(x) − (1 − y)·log(1 − σ(x)). Backward: dℓ/dx = (σ(x) − y) / N. logits and labels have the
    /// same shape, labels in [0, 1] and never differentiated.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor labels)
    {
        if (!logits.Shape.SequenceEqual(labels.Shape))
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: logits {ShapeUtil.Format(logits.Shape)} and labels {ShapeUtil.Format(labels.Shape)} differ in shape.");
        ReadOnlySpan<float> x = logits.Span, y = labels.Span;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            sum += MathF.Max(v, 0f) - v * y[i] + MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
        }
        int n = x.Length;
        var loss = Tensor.Scalar((float)(sum / n));
        if (Autograd.ShouldRecord(logits))
        {
            loss.Record("bce_with_logits", [logits], g =>
            {
                float scale = g.Span[0] / n;
                var gx = logits.GradSpanForAccumulate();
                ReadOnlySpan<float> xs = logits.Span, ys = labels.Span;
                for (int i = 0; i < xs.Length; i++) gx[i] += scale * (1f / (1f + MathF.Exp(-xs[i])) - ys[i]);
            });
        }
        return loss;
    }

    /// <summary>Mean squared error: ℓ = mean((p − t)²). Backward: dℓ/dp = 2 (p − t) / N.</summary>
    public static Tensor MeanSquaredError(Tensor predictions, Tensor targets)
    {
        if (!predictions.Shape.SequenceEqual(targets.Shape))
            throw new ArgumentException($"MeanSquaredError: predictions {ShapeUtil.Format(predictions.Shape)} and targets {ShapeUtil.Format(targets.Shape)} differ in shape.");
        int n = predictions.Size;
        var diff = Tensor.Empty(predictions.Shape);
        TensorPrimitives.Subtract(predictions.Span, targets.Span, diff.Span);
        var loss = Tensor.Scalar(TensorPrimitives.Dot(diff.Span, diff.Span) / n);
        if (Autograd.ShouldRecord(predictions))
        {
            loss.Record("mse", [predictions], g =>
            {
                var gp = predictions.GradSpanForAccumulate();
                TensorPrimitives.MultiplyAdd(diff.Span, 2f * g.Span[0] / n, gp, gp);
            });
        }
        return loss;
    }
}
