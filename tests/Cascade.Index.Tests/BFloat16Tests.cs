using Cascade.Index;

namespace Cascade.Index.Tests;

/// <summary>bfloat16 rounding and the split-query kernels against their decoded double-precision twin.</summary>
public unsafe class BFloat16Tests
{
    [Fact]
    public void KernelsMatchTheReferenceAtEveryLength() => Assert.Null(CompareKernelsWithReference());

    /// <summary>
    /// Null when Dot and L2Squared agree with <see cref="BFloat16Reference"/> at every D in 0–256 (odd D included: the
    /// padding half must contribute nothing), else the first mismatch. A guard word after each row and a guard float
    /// after each query half would change the result by ~1e3 if a kernel read past its end. Run in-process and,
    /// through <see cref="KernelCheckProgram"/>, with AVX-512 and with all intrinsics switched off.
    /// </summary>
    internal static string? CompareKernelsWithReference()
    {
        var rng = new Random(7);
        for (int dim = 0; dim <= 256; dim++)
        {
            int words = BFloat16Distances.WordsPerRow(dim);
            var v = new float[dim];
            var q = new float[dim];
            for (int i = 0; i < dim; i++) { v[i] = (float)(rng.NextDouble() * 2 - 1); q[i] = (float)(rng.NextDouble() * 2 - 1); }
            var row = new uint[words + 1];
            BFloat16Distances.Encode(v, row);
            if (EncodeMismatch(v, row) is string bad) return bad;
            row[words] = 0x447A447Au; // 1000 in both halves
            var split = new float[2 * words + 1];
            BFloat16Distances.SplitQuery(q, split);
            split[2 * words] = 1000f;
            float dot, l2;
            fixed (float* s = split)
            fixed (uint* r = row)
            {
                dot = BFloat16Distances.Dot(s, s + words, r, words);
                l2 = BFloat16Distances.L2Squared(s, s + words, r, words);
            }
            float tol = 1e-5f * (dim + 1); // float accumulation of ≤ 256 terms of |x| ≤ 1 against a double sum
            float dotRef = BFloat16Reference.Dot(q, row.AsSpan(0, words)), l2Ref = BFloat16Reference.L2Squared(q, row.AsSpan(0, words));
            if (MathF.Abs(dot - dotRef) > tol) return $"bfloat16 Dot D={dim}: {dot} vs reference {dotRef}";
            if (MathF.Abs(l2 - l2Ref) > 4 * tol) return $"bfloat16 L2Squared D={dim}: {l2} vs reference {l2Ref}";
        }
        return null;
    }

    /// <summary>Null when the (possibly vectorised) Encode equals FromSingle component by component.</summary>
    private static string? EncodeMismatch(ReadOnlySpan<float> v, ReadOnlySpan<uint> row)
    {
        for (int i = 0; i < v.Length; i++)
        {
            ushort got = (ushort)((i & 1) == 0 ? row[i >> 1] : row[i >> 1] >> 16);
            if (got != BFloat16Distances.FromSingle(v[i])) return $"Encode D={v.Length} component {i} ({v[i]}): 0x{got:X4} vs FromSingle 0x{BFloat16Distances.FromSingle(v[i]):X4}";
        }
        if ((v.Length & 1) == 1 && row[v.Length >> 1] >> 16 != 0) return $"Encode D={v.Length}: padding half not zero";
        return null;
    }

    [Fact]
    public void EncodeRoundsSpecialValuesLikeFromSingle()
    {
        // Ties, values that would overflow to ∞, subnormals, signed zeros, and the NaN/∞ a corrupt file could hold.
        float[] specials = [1f + 1f / 256, 1f + 3f / 256, float.MaxValue, -float.MaxValue, 1e-40f, -0f, 0f,
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.UInt32BitsToSingle(0x7FFFFFFF), 3.3895e38f];
        var rng = new Random(11);
        for (int dim = 1; dim <= 70; dim++)
        {
            var v = new float[dim];
            for (int i = 0; i < dim; i++) v[i] = rng.Next(3) == 0 ? specials[rng.Next(specials.Length)] : (float)(rng.NextDouble() * 4 - 2);
            var row = new uint[BFloat16Distances.WordsPerRow(dim)];
            BFloat16Distances.Encode(v, row);
            Assert.Null(EncodeMismatch(v, row));
        }
    }

    [Fact]
    public void RoundingIsToNearestEvenWithinHalfAnUnitInTheLastPlace()
    {
        Assert.Equal(0x3F80, BFloat16Distances.FromSingle(1f));
        Assert.Equal(0xBF80, BFloat16Distances.FromSingle(-1f));
        // 1 + 2^-8 lies exactly half-way between 1 and 1 + 2^-7: ties go to the even significand (1).
        Assert.Equal(0x3F80, BFloat16Distances.FromSingle(1f + 1f / 256));
        // 1 + 3·2^-8 lies half-way between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up.
        Assert.Equal(0x3F82, BFloat16Distances.FromSingle(1f + 3f / 256));
        // Just above the half-way point rounds up.
        Assert.Equal(0x3F81, BFloat16Distances.FromSingle(BitConverter.UInt32BitsToSingle(0x3F808001)));
        // float.MaxValue would round to ∞; it is kept finite (truncated) instead.
        Assert.True(float.IsFinite(BFloat16Distances.ToSingle(BFloat16Distances.FromSingle(float.MaxValue))));
        // Every finite bfloat16 survives a round trip through float.
        for (int b = 0; b <= 0xFFFF; b++)
        {
            float f = BFloat16Distances.ToSingle((ushort)b);
            if (float.IsFinite(f)) Assert.Equal((ushort)b, BFloat16Distances.FromSingle(f));
        }
        var rng = new Random(3);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-30, 30)));
            float r = BFloat16Distances.ToSingle(BFloat16Distances.FromSingle(x));
            Assert.True(MathF.Abs(r - x) <= BFloat16Distances.UnitRoundoff * MathF.Abs(x), $"{x} rounded to {r}");
        }
    }

    [Fact]
    public void EncodePacksEvenComponentsLowAndRejectsShortRows()
    {
        var row = new uint[2];
        BFloat16Distances.Encode([1f, -2f, 0.5f], row);
        Assert.Equal(0x3F80u | (0xC000u << 16), row[0]);
        Assert.Equal(0x3F00u, row[1]); // D odd: the high half is padding, zero
        Assert.Equal([1f, -2f, 0.5f], BFloat16Reference.Decode(row, 3));
        var ex = Assert.Throws<ArgumentException>(() => BFloat16Distances.Encode(new float[5], new uint[2]));
        Assert.Contains("needs 3", ex.Message);
        var split = new float[4];
        BFloat16Distances.SplitQuery([1f, 2f, 3f], split);
        Assert.Equal([1f, 3f, 2f, 0f], split);
    }
}
