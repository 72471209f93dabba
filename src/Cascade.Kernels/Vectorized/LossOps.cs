using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

/// <summary>(x, y) → max(x, 0) − x·y + log(1 + e^(−|x|)).</summary>
internal readonly struct BceWithLogitsOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => MathF.Max(x, 0f) - x * y + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y)
        => Vector256.Max(x, Vector256<float>.Zero) - x * y + VectorMath.Log(Vector256<float>.One + VectorMath.Exp(-Vector256.Abs(x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y)
        => Vector512.Max(x, Vector512<float>.Zero) - x * y + VectorMath.Log(Vector512<float>.One + VectorMath.Exp(-Vector512.Abs(x)));
}

/// <summary>(x, y, dl, dx) → dx + dl · (σ(x) − y).</summary>
internal readonly struct BceWithLogitsBackwardOp : IQuaternaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y, float dl, float dx) => dx + dl * (1f / (1f + MathF.Exp(-x)) - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dl, Vector256<float> dx)
        => dx + dl * (Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp(-x)) - y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dl, Vector512<float> dx)
        => dx + dl * (Vector512<float>.One / (Vector512<float>.One + VectorMath.Exp(-x)) - y);
}
