using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

// Each operator mirrors its scalar twin in Reference/ActivationsReference.cs operation for operation (no fused
// multiply-add where the twin has none), so results agree to the last bit except where exp/log approximations differ.

internal readonly struct ReluOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? x : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, Vector512<float>.Zero);
}

/// <summary>(y, dy, dx) → dx + (y &gt; 0 ? dy : 0).</summary>
internal readonly struct ReluBackwardOp : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy, float dx) => y > 0f ? dx + dy : dx;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dx + dy, dx);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dx + dy, dx);
}

internal readonly struct LeakyReluOp(float slope) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? x : slope * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
}

/// <summary>(x, dy, dx) → dx + (x &gt; 0 ? dy : slope · dy).</summary>
internal readonly struct LeakyReluBackwardOp(float slope) : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float dy, float dx) => dx + (x > 0f ? dy : slope * dy);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> dx)
        => dx + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, dy * slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy, Vector512<float> dx)
        => dx + Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * slope);
}

/// <summary>(y, dy, dx) → dx + dy · y · (1 − y).</summary>
internal readonly struct SigmoidBackwardOp : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy, float dx) => dx + dy * y * (1f - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) => dx + dy * y * (Vector256<float>.One - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) => dx + dy * y * (Vector512<float>.One - y);
}

/// <summary>(y, dy, dx) → dx + dy · (1 − y²).</summary>
internal readonly struct TanhBackwardOp : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy, float dx) => dx + dy * (1f - y * y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) => dx + dy * (Vector256<float>.One - y * y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) => dx + dy * (Vector512<float>.One - y * y);
}

/// <summary>max(x, 0) + log(1 + e^(−|x|)).</summary>
internal readonly struct SoftplusOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
        => Vector256.Max(x, Vector256<float>.Zero) + VectorMath.Log(Vector256<float>.One + VectorMath.Exp(-Vector256.Abs(x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
        => Vector512.Max(x, Vector512<float>.Zero) + VectorMath.Log(Vector512<float>.One + VectorMath.Exp(-Vector512.Abs(x)));
}

/// <summary>(x, dy, dx) → dx + dy / (1 + e^(−x)).</summary>
internal readonly struct SoftplusBackwardOp : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float dy, float dx) => dx + dy / (1f + MathF.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> dx) => dx + dy / (Vector256<float>.One + VectorMath.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy, Vector512<float> dx) => dx + dy / (Vector512<float>.One + VectorMath.Exp(-x));
}

/// <summary>1 / (1 + e^(−x)).</summary>
internal readonly struct SigmoidOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + VectorMath.Exp(-x));
}

/// <summary>tanh(x).</summary>
internal readonly struct TanhOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => MathF.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => VectorMath.Tanh(x);
}

/// <summary>½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).</summary>
internal readonly struct GeluOp : IUnaryOp
{
    private const float C = 0.7978845608f, A = 0.044715f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 0.5f * x * (1f + MathF.Tanh(C * (x + A * x * x * x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => 0.5f * x * (Vector256<float>.One + VectorMath.Tanh(C * (x + A * x * x * x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => 0.5f * x * (Vector512<float>.One + VectorMath.Tanh(C * (x + A * x * x * x)));
}

/// <summary>(x, dy, dx) → dx + dy · GELU′(x) (tanh form).</summary>
internal readonly struct GeluBackwardOp : ITernaryOp
{
    private const float C = 0.7978845608f, A = 0.044715f, A3 = 0.134145f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float dy, float dx)
    {
        float t = MathF.Tanh(C * (x + A * x * x * x));
        float du = C * (1f + A3 * x * x);
        return dx + dy * (0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> dx)
    {
        var t = VectorMath.Tanh(C * (x + A * x * x * x));
        var du = C * (Vector256<float>.One + A3 * x * x);
        return dx + dy * (0.5f * (Vector256<float>.One + t) + 0.5f * x * (Vector256<float>.One - t * t) * du);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy, Vector512<float> dx)
    {
        var t = VectorMath.Tanh(C * (x + A * x * x * x));
        var du = C * (Vector512<float>.One + A3 * x * x);
        return dx + dy * (0.5f * (Vector512<float>.One + t) + 0.5f * x * (Vector512<float>.One - t * t) * du);
    }
}
