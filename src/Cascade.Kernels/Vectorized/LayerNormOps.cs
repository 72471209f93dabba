using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

/// <summary>(x, _) → (x − μ)².</summary>
internal readonly struct SquaredDeviationOp(float mu) : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float unused) { float d = x - mu; return d * d; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> unused) { var d = x - Vector256.Create(mu); return d * d; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> unused) { var d = x - Vector512.Create(mu); return d * d; }
}

/// <summary>(x, γ, β) → γ · ((x − μ) · rstd) + β.</summary>
internal readonly struct NormalizeAffineOp(float mu, float rstd) : ITernaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float g, float b) => g * ((x - mu) * rstd) + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g, Vector256<float> b) => g * ((x - Vector256.Create(mu)) * rstd) + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g, Vector512<float> b) => g * ((x - Vector512.Create(mu)) * rstd) + b;
}

/// <summary>(x, γ, dy, dx) → dx + rstd · (γ·dy − mean(γ·dy) − x̂ · mean(γ·dy·x̂)), x̂ = (x − μ) · rstd.</summary>
internal readonly struct LayerNormInputGradOp(float mu, float rstd, float meanG, float meanGx) : IQuaternaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float g, float dy, float dx)
    {
        float xhat = (x - mu) * rstd;
        return dx + rstd * (g * dy - meanG - xhat * meanGx);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g, Vector256<float> dy, Vector256<float> dx)
    {
        var xhat = (x - Vector256.Create(mu)) * rstd;
        return dx + rstd * (g * dy - Vector256.Create(meanG) - xhat * meanGx);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g, Vector512<float> dy, Vector512<float> dx)
    {
        var xhat = (x - Vector512.Create(mu)) * rstd;
        return dx + rstd * (g * dy - Vector512.Create(meanG) - xhat * meanGx);
    }
}

/// <summary>
/// One pass over a row of the layer-norm backward: Σ γ·dy and Σ γ·dy·x̂ (for dx), while accumulating
/// dγ += dy·x̂ and dβ += dy, so the row is read once for all four.
/// </summary>
internal struct LayerNormSums(float mu, float rstd)
{
    public float SumG, SumGx;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> dy, Span<float> dgamma, Span<float> dbeta)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(gamma);
        ref float dyr = ref MemoryMarshal.GetReference(dy);
        ref float dgr = ref MemoryMarshal.GetReference(dgamma);
        ref float dbr = ref MemoryMarshal.GetReference(dbeta);
        nuint i = 0, len = (nuint)x.Length;
        float sg = 0f, sgx = 0f;
        if (Vector512.IsHardwareAccelerated && len >= 16)
        {
            Vector512<float> ag = default, agx = default, vmu = Vector512.Create(mu);
            for (; i + 16 <= len; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref dyr, i);
                var xhat = (Vector512.LoadUnsafe(ref xr, i) - vmu) * rstd;
                var gd = Vector512.LoadUnsafe(ref gr, i) * d;
                ag += gd; agx += gd * xhat;
                (Vector512.LoadUnsafe(ref dgr, i) + d * xhat).StoreUnsafe(ref dgr, i);
                (Vector512.LoadUnsafe(ref dbr, i) + d).StoreUnsafe(ref dbr, i);
            }
            sg += Vector512.Sum(ag); sgx += Vector512.Sum(agx);
        }
        if (Vector256.IsHardwareAccelerated && i + 8 <= len)
        {
            Vector256<float> ag = default, agx = default, vmu = Vector256.Create(mu);
            for (; i + 8 <= len; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref dyr, i);
                var xhat = (Vector256.LoadUnsafe(ref xr, i) - vmu) * rstd;
                var gd = Vector256.LoadUnsafe(ref gr, i) * d;
                ag += gd; agx += gd * xhat;
                (Vector256.LoadUnsafe(ref dgr, i) + d * xhat).StoreUnsafe(ref dgr, i);
                (Vector256.LoadUnsafe(ref dbr, i) + d).StoreUnsafe(ref dbr, i);
            }
            sg += Vector256.Sum(ag); sgx += Vector256.Sum(agx);
        }
        for (; i < len; i++)
        {
            float d = Unsafe.Add(ref dyr, i);
            float xhat = (Unsafe.Add(ref xr, i) - mu) * rstd;
            float gd = Unsafe.Add(ref gr, i) * d;
            sg += gd; sgx += gd * xhat;
            Unsafe.Add(ref dgr, i) += d * xhat;
            Unsafe.Add(ref dbr, i) += d;
        }
        SumG = sg; SumGx = sgx;
    }
}
