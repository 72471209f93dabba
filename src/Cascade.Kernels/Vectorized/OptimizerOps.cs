using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

// Same operation order as the scalar twins (Reference/OptimizerStepsReference.cs) and no fused multiply-add, so
// the vector paths reproduce them bit for bit (sqrt and division are correctly rounded in both).

/// <summary>w, g, m, v → Adam/AdamW step (see OptimizerSteps.Adam).</summary>
internal readonly struct AdamOp(float lr, float beta1, float beta2, float eps, float l2, float decay, float bc1, float bc2) : IUpdate2Op
{
    private readonly float _invBc1 = 1f / bc1, _invSqrtBc2 = 1f / MathF.Sqrt(bc2), _oneMinusB1 = 1f - beta1, _oneMinusB2 = 1f - beta2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float w, float g, ref float m, ref float v)
    {
        float gi = g + l2 * w;
        m = beta1 * m + _oneMinusB1 * gi;
        v = beta2 * v + _oneMinusB2 * gi * gi;
        float update = m * _invBc1 / (MathF.Sqrt(v) * _invSqrtBc2 + eps);
        w -= lr * (update + decay * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
    {
        var gi = g + l2 * w;
        m = beta1 * m + _oneMinusB1 * gi;
        v = beta2 * v + _oneMinusB2 * gi * gi;
        var update = m * _invBc1 / (Vector256.Sqrt(v) * _invSqrtBc2 + Vector256.Create(eps));
        w -= lr * (update + decay * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
    {
        var gi = g + l2 * w;
        m = beta1 * m + _oneMinusB1 * gi;
        v = beta2 * v + _oneMinusB2 * gi * gi;
        var update = m * _invBc1 / (Vector512.Sqrt(v) * _invSqrtBc2 + Vector512.Create(eps));
        w -= lr * (update + decay * w);
    }
}

/// <summary>w, g, acc → Adagrad step.</summary>
internal readonly struct AdagradOp(float lr, float eps, float l2) : IUpdate1Op
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float w, float g, ref float acc)
    {
        float gi = g + l2 * w;
        acc += gi * gi;
        w -= lr * gi / (MathF.Sqrt(acc) + eps);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> acc)
    {
        var gi = g + l2 * w;
        acc += gi * gi;
        w -= lr * gi / (Vector256.Sqrt(acc) + Vector256.Create(eps));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> acc)
    {
        var gi = g + l2 * w;
        acc += gi * gi;
        w -= lr * gi / (Vector512.Sqrt(acc) + Vector512.Create(eps));
    }
}

/// <summary>w, g, v → SGD with (optionally Nesterov) momentum.</summary>
internal readonly struct SgdMomentumOp(float lr, float mu, float l2, bool nesterov) : IUpdate1Op
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float w, float g, ref float v)
    {
        float gi = g + l2 * w;
        v = mu * v + gi;
        w -= lr * (nesterov ? gi + mu * v : v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> v)
    {
        var gi = g + l2 * w;
        v = mu * v + gi;
        w -= lr * (nesterov ? gi + mu * v : v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> v)
    {
        var gi = g + l2 * w;
        v = mu * v + gi;
        w -= lr * (nesterov ? gi + mu * v : v);
    }
}

/// <summary>w, g, z, n → FTRL-Proximal step (see OptimizerSteps.Ftrl).</summary>
internal readonly struct FtrlOp(float alpha, float beta, float l1, float l2) : IUpdate2Op
{
    private readonly float _invAlpha = 1f / alpha;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref float w, float g, ref float z, ref float n)
    {
        float nNew = n + g * g;
        float sqrtNew = MathF.Sqrt(nNew);
        float sigma = (sqrtNew - MathF.Sqrt(n)) * _invAlpha;
        z += g - sigma * w;
        n = nNew;
        float shrunk = z > 0f ? z - l1 : z + l1;
        w = MathF.Abs(z) <= l1 ? 0f : -shrunk / ((beta + sqrtNew) * _invAlpha + l2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> z, ref Vector256<float> n)
    {
        var nNew = n + g * g;
        var sqrtNew = Vector256.Sqrt(nNew);
        var sigma = (sqrtNew - Vector256.Sqrt(n)) * _invAlpha;
        z += g - sigma * w;
        n = nNew;
        var vl1 = Vector256.Create(l1);
        var shrunk = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z - vl1, z + vl1);
        var dense = -shrunk / ((Vector256.Create(beta) + sqrtNew) * _invAlpha + Vector256.Create(l2));
        w = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(Vector256.Abs(z), vl1), Vector256<float>.Zero, dense);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> z, ref Vector512<float> n)
    {
        var nNew = n + g * g;
        var sqrtNew = Vector512.Sqrt(nNew);
        var sigma = (sqrtNew - Vector512.Sqrt(n)) * _invAlpha;
        z += g - sigma * w;
        n = nNew;
        var vl1 = Vector512.Create(l1);
        var shrunk = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero), z - vl1, z + vl1);
        var dense = -shrunk / ((Vector512.Create(beta) + sqrtNew) * _invAlpha + Vector512.Create(l2));
        w = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(Vector512.Abs(z), vl1), Vector512<float>.Zero, dense);
    }
}
