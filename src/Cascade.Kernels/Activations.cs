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

    /// <summary>GELU, tanh form (Hendrycks &amp; Gimpel 2016): y = ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, same length.</param>
    public static void GeluForward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseDriver.Map(new GeluOp(), x, y);

    /// <summary>
    /// dx += dy · (½ · (1 + t) + ½ · x · (1 − t²) · √(2/π) · (1 + 3 · 0.044715 · x²)), t = tanh(√(2/π) · (x + 0.044715 · x³))
    /// (x is the forward input).
    /// </summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient, accumulated.</param>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
        => ElementwiseDriver.Map(new GeluBackwardOp(), x, dy, dx, dx);
}
