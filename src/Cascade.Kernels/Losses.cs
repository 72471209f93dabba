using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

/// <summary>
/// Per-example loss kernels (the mean or sum over the batch is the caller's). Backward ACCUMULATES into the logit
/// gradient. Naive twin: <see cref="Reference.LossesReference"/>.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Binary cross-entropy on logits, the CTR loss, in the stable form
    /// loss = max(x, 0) − x · y + log(1 + e^(−|x|)) (= −y·log σ(x) − (1 − y)·log(1 − σ(x)) without overflow).
    /// </summary>
    /// <param name="logits">x (B).</param>
    /// <param name="labels">y in [0, 1] (B).</param>
    /// <param name="loss">Per-example loss (B).</param>
    public static void BceWithLogitsForward(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> loss)
        => ElementwiseDriver.Map(new BceWithLogitsOp(), logits, labels, loss);

    /// <summary>dLogits += dLoss · (σ(x) − y).</summary>
    /// <param name="logits">x (B).</param>
    /// <param name="labels">y (B).</param>
    /// <param name="dLoss">Gradient of the objective with respect to each example's loss (B); 1/B for a mean.</param>
    /// <param name="dLogits">Logit gradient (B), accumulated.</param>
    public static void BceWithLogitsBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, ReadOnlySpan<float> dLoss, Span<float> dLogits)
        => ElementwiseDriver.Map(new BceWithLogitsBackwardOp(), logits, labels, dLoss, dLogits, dLogits);
}
