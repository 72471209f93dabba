using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

/// <summary>e^(x − max).</summary>
internal readonly struct ExpShiftOp(float max) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => MathF.Exp(x - max);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x - Vector256.Create(max));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => VectorMath.Exp(x - Vector512.Create(max));
}

/// <summary>(x, _) → e^(x − max), for a sum without a store.</summary>
internal readonly struct ExpShiftSumOp(float max) : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float unused) => MathF.Exp(x - max);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> unused) => VectorMath.Exp(x - Vector256.Create(max));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> unused) => VectorMath.Exp(x - Vector512.Create(max));
}

/// <summary>(y, dy, dx) → dx + y · (dy − dot).</summary>
internal readonly struct SoftmaxBackwardOp(float dot) : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy, float dx) => dx + y * (dy - dot);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) => dx + y * (dy - Vector256.Create(dot));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) => dx + y * (dy - Vector512.Create(dot));
}

/// <summary>(y, dy) → y ≠ −∞ ? dy : 0 (the positions log-softmax kept).</summary>
internal readonly struct UnmaskedOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy) => float.IsNegativeInfinity(y) ? 0f : dy;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy)
        => Vector256.ConditionalSelect(Vector256.Equals(y, Vector256.Create(float.NegativeInfinity)), Vector256<float>.Zero, dy);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy)
        => Vector512.ConditionalSelect(Vector512.Equals(y, Vector512.Create(float.NegativeInfinity)), Vector512<float>.Zero, dy);
}

/// <summary>(y, dy, dx) → y ≠ −∞ ? dx + (dy − e^y · sum) : dx.</summary>
internal readonly struct LogSoftmaxBackwardOp(float sum) : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float y, float dy, float dx) => float.IsNegativeInfinity(y) ? dx : dx + (dy - MathF.Exp(y) * sum);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx)
        => Vector256.ConditionalSelect(Vector256.Equals(y, Vector256.Create(float.NegativeInfinity)), dx, dx + (dy - VectorMath.Exp(y) * sum));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx)
        => Vector512.ConditionalSelect(Vector512.Equals(y, Vector512.Create(float.NegativeInfinity)), dx, dx + (dy - VectorMath.Exp(y) * sum));
}

/// <summary>x · scale.</summary>
internal readonly struct ScaleOp(float scale) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x * scale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x * scale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x * scale;
}

/// <summary>x − shift.</summary>
internal readonly struct ShiftOp(float shift) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x - shift;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x - Vector256.Create(shift);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x - Vector512.Create(shift);
}
