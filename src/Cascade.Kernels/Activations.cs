using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

/// <summary>
/// Activation kernels in Forward/Backward pairs. Forward writes <c>y</c>; Backward ACCUMULATES into <c>dx</c>
/// (dx += ∂y/∂x · dy) because gradients of a tensor used twice add up. All spans have the same length.
/// Vectorised (Vector512/Vector256/scalar) through <see cref="ElementwiseDriver"/> with the Cephes-style exp/tanh of <see cref="VectorMath"/>; the naive
/// twins are in <see cref="Reference.ActivationsReference"/>.
/// </summary>
public static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseDriver.Map(new ReluOp(), x, y);

    /// <summary>dx += dy where y &gt; 0 (y is the forward output).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new ReluBackwardOp(), y, dy, dx, dx);

    /// <summary>y = x if x &gt; 0 else slope · x.</summary>
    public static void LeakyReluForward(ReadOnlySpan<float> x, float slope, Span<float> y)
        => ElementwiseDriver.Map(new LeakyReluOp(slope), x, y);

    /// <summary>dx += dy · (x &gt; 0 ? 1 : slope).</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, float slope, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new LeakyReluBackwardOp(slope), x, dy, dx, dx);

    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    public static void SigmoidForward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseDriver.Map(new SigmoidOp(), x, y);

    /// <summary>dx += dy · y · (1 − y) (y is the forward output).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new SigmoidBackwardOp(), y, dy, dx, dx);

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseDriver.Map(new TanhOp(), x, y);

    /// <summary>dx += dy · (1 − y²) (y is the forward output).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new TanhBackwardOp(), y, dy, dx, dx);

    /// <summary>y = log(1 + e^x), computed stably as max(x, 0) + log(1 + e^(−|x|)).</summary>
    public static void SoftplusForward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseDriver.Map(new SoftplusOp(), x, y);

    /// <summary>dx += dy · sigmoid(x).</summary>
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new SoftplusBackwardOp(), x, dy, dx, dx);
}
