using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Index;

/// <summary>
/// bfloat16 rows (the upper 16 bits of an IEEE float: 8 exponent bits, 8 significant bits) and distance kernels from an
/// fp32 query to such a row. HNSW walks its graph on these half-size copies (D = 32: 64 bytes, one cache line, instead
/// of two) and re-scores the final candidates in fp32.
/// </summary>
/// <remarks>
/// A row of D components is stored as ⌈D/2⌉ little-endian 32-bit words, component 2i in the low half of word i and
/// 2i + 1 in the high half (padding 0 when D is odd). Widening is then free of shuffles: <c>w &lt;&lt; 16</c> is
/// component 2i as a float and <c>w &amp; 0xFFFF0000</c> is component 2i + 1, so the kernels take the query split
/// into its even and odd components (<see cref="SplitQuery"/>) and run two independent FMA chains, one per half. At
/// D = 32 the Vector512 path is one 64-byte load, a shift, an and, two FMAs and one reduction.
/// Rounding is to nearest even, so every stored component differs from the original by at most
/// <see cref="UnitRoundoff"/> of its magnitude: ‖v − v̂‖ ≤ 2⁻⁸‖v‖.
/// </remarks>
public static unsafe class BFloat16Distances
{
    /// <summary>Relative error bound of one rounded component: 2⁻⁸ (8 significant bits, round to nearest).</summary>
    public const float UnitRoundoff = 1f / 256;

    /// <summary>Words (two components each) of a row of <paramref name="dimensions"/> components: ⌈D/2⌉.</summary>
    public static int WordsPerRow(int dimensions) => (dimensions + 1) >> 1;

    /// <summary>Rounds to the nearest bfloat16 (ties to even); finite values that would round past the largest finite bfloat16 are truncated to it.</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7F800000u) == 0x7F800000u) return (ushort)(bits >> 16); // NaN / ∞ keep their class (never stored: VectorGuard rejects them)
        uint rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
        if ((rounded & 0x7F800000u) == 0x7F800000u) rounded = bits; // would overflow to ∞: truncate instead
        return (ushort)(rounded >> 16);
    }

    /// <summary>The float a bfloat16 stands for (exact: the low 16 bits are zero).</summary>
    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>Encodes <paramref name="source"/> (D) into a row of <see cref="WordsPerRow"/> words, the padding half of an odd D set to zero.</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<uint> row)
    {
        int words = WordsPerRow(source.Length);
        if (row.Length < words) throw new ArgumentException($"Encode: row holds {row.Length} words, D = {source.Length} needs {words}.", nameof(row));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 16 floats → 8 words per step, the same rounding as FromSingle lane by lane (load encodes 32M floats at
            // 1M × 32: ~0.1 s scalar, a few ms here).
            fixed (float* src = source)
            fixed (uint* dst = row)
            {
                for (; 2 * i + 16 <= source.Length; i += 8)
                {
                    var bits = Vector512.Load((uint*)src + 2 * i);
                    var rounded = RoundLanes(bits).AsUInt64();
                    // Lane pair (2j, 2j + 1) as one 64-bit lane: low word's upper half → bits 0–15, high word's → 16–31.
                    var packed = ((rounded >> 16) & Vector512.Create(0xFFFFul)) | ((rounded >> 32) & Vector512.Create(0xFFFF0000ul));
                    Vector256.Store(Vector512.Narrow(packed, Vector512<ulong>.Zero).GetLower(), dst + i);
                }
            }
        }
        for (; i < words; i++)
        {
            uint lo = FromSingle(source[2 * i]);
            uint hi = 2 * i + 1 < source.Length ? FromSingle(source[2 * i + 1]) : 0u;
            row[i] = lo | (hi << 16);
        }
    }

    /// <summary><see cref="FromSingle"/> on 16 lanes, the result still in the upper 16 bits of each lane.</summary>
    private static Vector512<uint> RoundLanes(Vector512<uint> bits)
    {
        var exponent = Vector512.Create(0x7F800000u);
        var rounded = bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One);
        // NaN/∞ inputs, and finite values that would round up to ∞, keep their truncated bits.
        var keep = Vector512.Equals(bits & exponent, exponent) | Vector512.Equals(rounded & exponent, exponent);
        return Vector512.ConditionalSelect(keep, bits, rounded);
    }

    /// <summary>
    /// Writes the query's even components to split[0..W) and its odd components to split[W..2W), W = ⌈D/2⌉ (the odd
    /// half padded with 0 when D is odd): the layout the kernels take.
    /// </summary>
    public static void SplitQuery(ReadOnlySpan<float> query, Span<float> split)
    {
        int words = WordsPerRow(query.Length);
        if (split.Length < 2 * words) throw new ArgumentException($"SplitQuery: split holds {split.Length} floats, D = {query.Length} needs {2 * words}.", nameof(split));
        for (int i = 0; i < words; i++)
        {
            split[i] = query[2 * i];
            split[words + i] = 2 * i + 1 < query.Length ? query[2 * i + 1] : 0f;
        }
    }

    /// <summary>q·v̂ for a split query (even components at <paramref name="even"/>, odd at <paramref name="odd"/>) and a row of <paramref name="words"/> words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* even, float* odd, uint* row, int words)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && words >= 16)
        {
            var high = Vector512.Create(0xFFFF0000u);
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= words - 16; i += 16)
            {
                var w = Vector512.Load(row + i);
                acc0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(w, 16).AsSingle(), Vector512.Load(even + i), acc0);
                acc1 = Vector512.FusedMultiplyAdd((w & high).AsSingle(), Vector512.Load(odd + i), acc1);
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        if (Vector256.IsHardwareAccelerated && words - i >= 8)
        {
            var high = Vector256.Create(0xFFFF0000u);
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= words - 8; i += 8)
            {
                var w = Vector256.Load(row + i);
                acc0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(w, 16).AsSingle(), Vector256.Load(even + i), acc0);
                acc1 = Vector256.FusedMultiplyAdd((w & high).AsSingle(), Vector256.Load(odd + i), acc1);
            }
            sum += Vector256.Sum(acc0 + acc1);
        }
        for (; i < words; i++)
        {
            uint w = row[i];
            sum += BitConverter.UInt32BitsToSingle(w << 16) * even[i] + BitConverter.UInt32BitsToSingle(w & 0xFFFF0000u) * odd[i];
        }
        return sum;
    }

    /// <summary>‖q − v̂‖² for a split query and a row of <paramref name="words"/> words (padding contributes (0 − 0)² = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float L2Squared(float* even, float* odd, uint* row, int words)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && words >= 16)
        {
            var high = Vector512.Create(0xFFFF0000u);
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= words - 16; i += 16)
            {
                var w = Vector512.Load(row + i);
                var d0 = Vector512.Load(even + i) - Vector512.ShiftLeft(w, 16).AsSingle();
                var d1 = Vector512.Load(odd + i) - (w & high).AsSingle();
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        if (Vector256.IsHardwareAccelerated && words - i >= 8)
        {
            var high = Vector256.Create(0xFFFF0000u);
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= words - 8; i += 8)
            {
                var w = Vector256.Load(row + i);
                var d0 = Vector256.Load(even + i) - Vector256.ShiftLeft(w, 16).AsSingle();
                var d1 = Vector256.Load(odd + i) - (w & high).AsSingle();
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
            }
            sum += Vector256.Sum(acc0 + acc1);
        }
        for (; i < words; i++)
        {
            uint w = row[i];
            float d0 = even[i] - BitConverter.UInt32BitsToSingle(w << 16);
            float d1 = odd[i] - BitConverter.UInt32BitsToSingle(w & 0xFFFF0000u);
            sum += d0 * d0 + d1 * d1;
        }
        return sum;
    }
}

/// <summary>Scalar twin of <see cref="BFloat16Distances"/>: decodes every component and accumulates in double (the test oracle).</summary>
public static class BFloat16Reference
{
    /// <summary>The components of a row of D values, decoded to float.</summary>
    public static float[] Decode(ReadOnlySpan<uint> row, int dimensions)
    {
        var v = new float[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            uint w = row[i >> 1];
            v[i] = BFloat16Distances.ToSingle((ushort)((i & 1) == 0 ? w : w >> 16));
        }
        return v;
    }

    /// <summary>q·v̂ accumulated in double over the decoded row.</summary>
    public static float Dot(ReadOnlySpan<float> query, ReadOnlySpan<uint> row) => DistancesReference.Dot(query, Decode(row, query.Length));

    /// <summary>‖q − v̂‖² accumulated in double over the decoded row.</summary>
    public static float L2Squared(ReadOnlySpan<float> query, ReadOnlySpan<uint> row) => DistancesReference.L2Squared(query, Decode(row, query.Length));
}
