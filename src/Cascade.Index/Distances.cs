using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Index;

/// <summary>
/// SIMD distance kernels: inner product and squared L2 with Vector512, Vector256 and scalar paths (chosen at JIT
/// time by <c>IsHardwareAccelerated</c>, so the unused branches vanish). Two accumulators per width hide the FMA
/// latency (4 cycles) for dimensions ≥ 2 × lane count; at D = 32 the Vector512 path is two FMAs and one reduction.
/// The scalar twins live in <see cref="DistancesReference"/> and the tests compare both at every length 0–256.
/// </summary>
public static unsafe class Distances
{
    /// <summary>Σᵢ aᵢ·bᵢ over two spans of equal length.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Dot: lengths differ ({a.Length} vs {b.Length}).", nameof(b));
        fixed (float* pa = a, pb = b) return Dot(pa, pb, a.Length);
    }

    /// <summary>Σᵢ (aᵢ − bᵢ)² over two spans of equal length.</summary>
    public static float L2Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"L2Squared: lengths differ ({a.Length} vs {b.Length}).", nameof(b));
        fixed (float* pa = a, pb = b) return L2Squared(pa, pb, a.Length);
    }

    /// <summary>Σᵢ aᵢ·bᵢ for <paramref name="n"/> floats at two pointers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 16), Vector512.Load(b + i + 16), acc1);
            }
            if (i <= n - 16)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc0);
                i += 16;
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), acc1);
            }
            if (i <= n - 8)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Σᵢ (aᵢ − bᵢ)² for <paramref name="n"/> floats at two pointers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float L2Squared(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                var d0 = Vector512.Load(a + i) - Vector512.Load(b + i);
                var d1 = Vector512.Load(a + i + 16) - Vector512.Load(b + i + 16);
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
            }
            if (i <= n - 16)
            {
                var d0 = Vector512.Load(a + i) - Vector512.Load(b + i);
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                i += 16;
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var d0 = Vector256.Load(a + i) - Vector256.Load(b + i);
                var d1 = Vector256.Load(a + i + 8) - Vector256.Load(b + i + 8);
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
            }
            if (i <= n - 8)
            {
                var d0 = Vector256.Load(a + i) - Vector256.Load(b + i);
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Distance under <paramref name="metric"/> (lower is better): 1 − a·b for IP and cosine, ‖a − b‖² for L2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(Metric metric, float* a, float* b, int n)
        => metric == Metric.L2 ? L2Squared(a, b, n) : 1f - Dot(a, b, n);

    /// <summary>Scales <paramref name="v"/> to unit L2 norm in place; throws when the norm is zero (cosine is undefined).</summary>
    public static void NormalizeInPlace(Span<float> v)
    {
        float norm = MathF.Sqrt(Dot(v, v));
        if (norm == 0f || !float.IsFinite(norm))
            throw new ArgumentException($"Cosine metric: the vector has norm {norm}; a zero vector has no direction.", nameof(v));
        float inv = 1f / norm;
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }
}

/// <summary>Naive scalar twins of <see cref="Distances"/>: the test oracle (double accumulation, no SIMD).</summary>
public static class DistancesReference
{
    /// <summary>Σᵢ aᵢ·bᵢ accumulated in double.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return (float)s;
    }

    /// <summary>Σᵢ (aᵢ − bᵢ)² accumulated in double.</summary>
    public static float L2Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) { double d = (double)a[i] - b[i]; s += d * d; }
        return (float)s;
    }
}
