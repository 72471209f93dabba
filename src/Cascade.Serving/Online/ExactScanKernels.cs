using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Serving.Online;

/// <summary>
/// One tier of the block kernel of <see cref="ExactScan.NextHit"/>: scores the 16 ads of one block, writes approx (16)
/// and halfWidth (16) and returns the mask of lanes with approx + halfWidth ≥ floor. A struct type parameter, so the
/// JIT compiles the block loop once per tier with the kernel inlined.
/// </summary>
internal interface IBlockKernel
{
    /// <summary>
    /// approx = dot · (scale · p.Scale); halfWidth = error · p.ErrorWeight + scale · p.ScaleWeight + p.Slack.
    /// <paramref name="query"/> holds each query pair 16 times (pairs × 16 ints). Returns 0 without computing the
    /// half-widths or storing anything when no lane has approx ≥ <paramref name="coarse"/> (the block test).
    /// </summary>
    static abstract uint Score(ref sbyte block, ref int query, int pairs, ref float scales, ref float errors, in ScanQuery p, float coarse, float floor, ref float approx, ref float halfWidth);
}

/// <summary>AVX-512BW: one vpmovsxbw + vpmaddwd per dimension pair for all 16 ads.</summary>
internal readonly struct Avx512Kernel : IBlockKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Score(ref sbyte block, ref int query, int pairs, ref float scales, ref float errors, in ScanQuery p, float coarse, float floor, ref float approx, ref float halfWidth)
    {
        // Two chains: vpmaddwd has 3-5 cycles of latency, the adds 1. The query pair is broadcast from a dword
        // (vpbroadcastd, one load uop): loading it as a full 64-byte vector instead measured 35 % slower on Zen 4.
        Vector512<int> s0 = Vector512<int>.Zero, s1 = Vector512<int>.Zero;
        ref sbyte c = ref block;
        int g = 0;
        for (; g + 2 <= pairs; g += 2)
        {
            s0 += Avx512BW.MultiplyAddAdjacent(Widen(ref c, 0), Vector512.Create(Unsafe.Add(ref query, g * ExactScan.BlockWidth)).AsInt16());
            s1 += Avx512BW.MultiplyAddAdjacent(Widen(ref c, 32), Vector512.Create(Unsafe.Add(ref query, (g + 1) * ExactScan.BlockWidth)).AsInt16());
            c = ref Unsafe.Add(ref c, 64);
        }
        if (g < pairs) s0 += Avx512BW.MultiplyAddAdjacent(Widen(ref c, 0), Vector512.Create(Unsafe.Add(ref query, g * ExactScan.BlockWidth)).AsInt16());
        var sc = Vector512.LoadUnsafe(ref scales);
        var a = Vector512.ConvertToSingle(s0 + s1) * (sc * p.Scale);
        if (!Vector512.GreaterThanOrEqualAny(a, Vector512.Create(coarse))) return 0;
        var h = Vector512.LoadUnsafe(ref errors) * p.ErrorWeight + sc * p.ScaleWeight + Vector512.Create(p.Slack);
        a.StoreUnsafe(ref approx);
        h.StoreUnsafe(ref halfWidth);
        return (uint)Vector512.GreaterThanOrEqual(a + h, Vector512.Create(floor)).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Widen(ref sbyte codes, nuint offset)
        => Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref codes, offset));
}

/// <summary>AVX2: the same on two 8-ad halves (bytes 0-15 of a pair are ads 0-7, bytes 16-31 ads 8-15).</summary>
internal readonly struct Avx2Kernel : IBlockKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Score(ref sbyte block, ref int query, int pairs, ref float scales, ref float errors, in ScanQuery p, float coarse, float floor, ref float approx, ref float halfWidth)
    {
        Vector256<int> lo = Vector256<int>.Zero, hi = Vector256<int>.Zero;
        for (int g = 0; g < pairs; g++)
        {
            var qp = Vector256.LoadUnsafe(ref query, (nuint)(g * ExactScan.BlockWidth)).AsInt16();
            nuint at = (nuint)(g * 2 * ExactScan.BlockWidth);
            lo += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref block, at)), qp);
            hi += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref block, at + 16)), qp);
        }
        var sLo = Vector256.LoadUnsafe(ref scales);
        var sHi = Vector256.LoadUnsafe(ref scales, 8);
        var aLo = Vector256.ConvertToSingle(lo) * (sLo * p.Scale);
        var aHi = Vector256.ConvertToSingle(hi) * (sHi * p.Scale);
        var c = Vector256.Create(coarse);
        if (!Vector256.GreaterThanOrEqualAny(aLo, c) && !Vector256.GreaterThanOrEqualAny(aHi, c)) return 0;
        var hLo = Vector256.LoadUnsafe(ref errors) * p.ErrorWeight + sLo * p.ScaleWeight + Vector256.Create(p.Slack);
        var hHi = Vector256.LoadUnsafe(ref errors, 8) * p.ErrorWeight + sHi * p.ScaleWeight + Vector256.Create(p.Slack);
        aLo.StoreUnsafe(ref approx);
        aHi.StoreUnsafe(ref approx, 8);
        hLo.StoreUnsafe(ref halfWidth);
        hHi.StoreUnsafe(ref halfWidth, 8);
        var f = Vector256.Create(floor);
        return Vector256.GreaterThanOrEqual(aLo + hLo, f).ExtractMostSignificantBits()
            | Vector256.GreaterThanOrEqual(aHi + hHi, f).ExtractMostSignificantBits() << 8;
    }
}

/// <summary>The scalar twin: plain loops, the same float operations in the same order as the vector tiers.</summary>
internal readonly struct ScalarKernel : IBlockKernel
{
    public static uint Score(ref sbyte block, ref int query, int pairs, ref float scales, ref float errors, in ScanQuery p, float coarse, float floor, ref float approx, ref float halfWidth)
    {
        bool any = false;
        for (int lane = 0; lane < ExactScan.BlockWidth; lane++)
        {
            int dot = 0;
            for (int g = 0; g < pairs; g++)
            {
                int at = g * 2 * ExactScan.BlockWidth + lane * 2, q = Unsafe.Add(ref query, g * ExactScan.BlockWidth);
                dot += Unsafe.Add(ref block, at) * (short)q + Unsafe.Add(ref block, at + 1) * (short)(q >> 16);
            }
            float a = dot * (Unsafe.Add(ref scales, lane) * p.Scale);
            Unsafe.Add(ref approx, lane) = a;
            any |= a >= coarse;
        }
        if (!any) return 0;
        uint mask = 0;
        for (int lane = 0; lane < ExactScan.BlockWidth; lane++)
        {
            float scale = Unsafe.Add(ref scales, lane), a = Unsafe.Add(ref approx, lane);
            float h = Unsafe.Add(ref errors, lane) * p.ErrorWeight + scale * p.ScaleWeight + p.Slack;
            Unsafe.Add(ref halfWidth, lane) = h;
            if (a + h >= floor) mask |= 1u << lane;
        }
        return mask;
    }
}
