namespace Cascade.Kernels.Reference;

/// <summary>Naive scalar twin of <see cref="Losses"/>.</summary>
public static class LossesReference
{
    /// <summary>loss = max(x, 0) − x · y + log(1 + e^(−|x|)).</summary>
    public static void BceWithLogitsForward(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> loss)
    {
        for (int i = 0; i < logits.Length; i++)
        {
            float x = logits[i];
            loss[i] = MathF.Max(x, 0f) - x * labels[i] + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
        }
    }

    /// <summary>dLogits += dLoss · (σ(x) − y).</summary>
    public static void BceWithLogitsBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, ReadOnlySpan<float> dLoss, Span<float> dLogits)
    {
        for (int i = 0; i < logits.Length; i++) dLogits[i] += dLoss[i] * (1f / (1f + MathF.Exp(-logits[i])) - labels[i]);
    }
}
