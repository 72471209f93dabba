namespace Cascade.Kernels.Reference;

/// <summary>
/// Activation kernels in Forward/Backward pairs. Forward writes <c>y</c>; Backward ACCUMULATES into <c>dx</c>
/// (dx += ∂y/∂x · dy) because gradients of a tensor used twice add up. All spans have the same length.
/// Naive scalar twin of <see cref="Cascade.Kernels.Activations"/>: the test oracle and benchmark baseline.
/// </summary>
public static class ActivationsReference
{
    /// <summary>y = max(x, 0).</summary>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : 0f;
    }

    /// <summary>dx += dy where y &gt; 0 (y is the forward output).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) if (y[i] > 0f) dx[i] += dy[i];
    }

    /// <summary>y = x if x &gt; 0 else slope · x.</summary>
    public static void LeakyReluForward(ReadOnlySpan<float> x, float slope, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    /// <summary>dx += dy · (x &gt; 0 ? 1 : slope).</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, float slope, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] += x[i] > 0f ? dy[i] : slope * dy[i];
    }

    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    public static void SigmoidForward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = 1f / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>dx += dy · y · (1 − y) (y is the forward output).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
    }

    /// <summary>dx += dy · (1 − y²) (y is the forward output).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    /// <summary>y = log(1 + e^x), computed stably as max(x, 0) + log(1 + e^(−|x|)).</summary>
    public static void SoftplusForward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(x[i], 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x[i])));
    }

    /// <summary>dx += dy · sigmoid(x).</summary>
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] += dy[i] / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>y = ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).</summary>
    public static void GeluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float u = 0.7978845608f * (x[i] + 0.044715f * x[i] * x[i] * x[i]);
            y[i] = 0.5f * x[i] * (1f + MathF.Tanh(u));
        }
    }

    /// <summary>dx += dy · (½(1 + t) + ½ · x · (1 − t²) · √(2/π) · (1 + 0.134145 · x²)).</summary>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float xi = x[i];
            float t = MathF.Tanh(0.7978845608f * (xi + 0.044715f * xi * xi * xi));
            float du = 0.7978845608f * (1f + 0.134145f * xi * xi);
            dx[i] += dy[i] * (0.5f * (1f + t) + 0.5f * xi * (1f - t * t) * du);
        }
    }
}
