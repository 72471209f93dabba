using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Serving.Online;

/// <summary>
/// The int8 block kernel of <see cref="ExactRetriever"/>: approximate inner products of one float query with the 16
/// ads of a block stored dimension-major as int8 codes ((D, 16) sbytes) with one float scale per ad:
/// approx[lane] = scale[lane] · Σ_j query[j] · code[j, lane]. Sixteen ads per step need no horizontal sums; the
/// AVX-512 path widens 16 codes per instruction (vpmovsxbd + vcvtdq2ps) into four independent FMA chains (one chain
/// of 64 dependent FMAs would stall on the 4-cycle latency), the AVX2 path does the same on two 8-lane halves, and
/// <see cref="BlockScalar"/> is the scalar twin (fallback on other hardware and test oracle).
/// </summary>
internal static class ExactScan
{
    /// <summary>Ads per block (one 512-bit vector of floats).</summary>
    public const int BlockWidth = 16;

    /// <summary>Readable bytes past the last block: the AVX2 path loads 16 bytes to widen the upper 8.</summary>
    public const int Padding = 16;

    /// <summary>
    /// Writes the approximate scores of one block into <paramref name="scores"/> (16) and returns whether any of them is
    /// ≥ <paramref name="floor"/>; when it returns false the scores may be unset. <paramref name="codes"/> holds D × 16
    /// codes (plus <see cref="Padding"/> readable bytes), <paramref name="scales"/> 16 scales.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Block(ReadOnlySpan<float> query, ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, Span<float> scores, float floor)
    {
        if (Avx512F.IsSupported) return Block512(query, codes, scales, scores, floor);
        if (Avx2.IsSupported && Fma.IsSupported) return Block256(query, codes, scales, scores, floor);
        return BlockScalar(query, codes, scales, scores, floor);
    }

    private static bool Block512(ReadOnlySpan<float> query, ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, Span<float> scores, float floor)
    {
        int d = query.Length;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref sbyte c = ref MemoryMarshal.GetReference(codes);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int j = 0;
        for (; j + 4 <= d; j += 4)
        {
            a0 = Avx512F.FusedMultiplyAdd(Widen512(ref c, j), Vector512.Create(Unsafe.Add(ref q, j)), a0);
            a1 = Avx512F.FusedMultiplyAdd(Widen512(ref c, j + 1), Vector512.Create(Unsafe.Add(ref q, j + 1)), a1);
            a2 = Avx512F.FusedMultiplyAdd(Widen512(ref c, j + 2), Vector512.Create(Unsafe.Add(ref q, j + 2)), a2);
            a3 = Avx512F.FusedMultiplyAdd(Widen512(ref c, j + 3), Vector512.Create(Unsafe.Add(ref q, j + 3)), a3);
        }
        for (; j < d; j++) a0 = Avx512F.FusedMultiplyAdd(Widen512(ref c, j), Vector512.Create(Unsafe.Add(ref q, j)), a0);
        var s = ((a0 + a1) + (a2 + a3)) * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(scales));
        if (!Vector512.GreaterThanOrEqualAny(s, Vector512.Create(floor))) return false;
        s.StoreUnsafe(ref MemoryMarshal.GetReference(scores));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen512(ref sbyte codes, int j)
        => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref codes, (nuint)(j * BlockWidth))));

    private static bool Block256(ReadOnlySpan<float> query, ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, Span<float> scores, float floor)
    {
        int d = query.Length;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref sbyte c = ref MemoryMarshal.GetReference(codes);
        Vector256<float> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        int j = 0;
        for (; j + 2 <= d; j += 2)
        {
            var q0 = Vector256.Create(Unsafe.Add(ref q, j));
            var q1 = Vector256.Create(Unsafe.Add(ref q, j + 1));
            lo0 = Fma.MultiplyAdd(Widen256(ref c, j * BlockWidth), q0, lo0);
            hi0 = Fma.MultiplyAdd(Widen256(ref c, j * BlockWidth + 8), q0, hi0);
            lo1 = Fma.MultiplyAdd(Widen256(ref c, (j + 1) * BlockWidth), q1, lo1);
            hi1 = Fma.MultiplyAdd(Widen256(ref c, (j + 1) * BlockWidth + 8), q1, hi1);
        }
        for (; j < d; j++)
        {
            var q0 = Vector256.Create(Unsafe.Add(ref q, j));
            lo0 = Fma.MultiplyAdd(Widen256(ref c, j * BlockWidth), q0, lo0);
            hi0 = Fma.MultiplyAdd(Widen256(ref c, j * BlockWidth + 8), q0, hi0);
        }
        ref float sc = ref MemoryMarshal.GetReference(scales);
        var lo = (lo0 + lo1) * Vector256.LoadUnsafe(ref sc);
        var hi = (hi0 + hi1) * Vector256.LoadUnsafe(ref sc, 8);
        var f = Vector256.Create(floor);
        if (!Vector256.GreaterThanOrEqualAny(lo, f) && !Vector256.GreaterThanOrEqualAny(hi, f)) return false;
        lo.StoreUnsafe(ref MemoryMarshal.GetReference(scores));
        hi.StoreUnsafe(ref MemoryMarshal.GetReference(scores), 8);
        return true;
    }

    // Eight codes at `offset` widened to floats (the load reads 16 bytes; the upper 8 are ignored).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen256(ref sbyte codes, int offset)
        => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref codes, (nuint)offset)));

    /// <summary>The scalar twin of <see cref="Block"/>: same result up to float summation order.</summary>
    public static bool BlockScalar(ReadOnlySpan<float> query, ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales, Span<float> scores, float floor)
    {
        bool any = false;
        for (int lane = 0; lane < BlockWidth; lane++)
        {
            float s = 0;
            for (int j = 0; j < query.Length; j++) s += query[j] * codes[j * BlockWidth + lane];
            s *= scales[lane];
            scores[lane] = s;
            any |= s >= floor;
        }
        return any;
    }
}
