using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Serving.Online;

/// <summary>
/// The first phase of <see cref="ExactRetriever"/>: for blocks of 16 ads stored as int8 codes and one int16 query, the
/// integer dot products dot[lane] = Σ_j code[j, lane] · q[j] (exact in int32), turned into approximate scores
/// approx = dot · scale[lane] · queryScale and half-widths h of the score bound |exact − approx| ≤ h
/// (<see cref="PrepareQuery"/>).
/// <para>
/// Layout of one block, (Dp/2, 16, 2) sbytes: dimension pairs outermost, then the 16 ads, then the two dimensions of
/// the pair, so that one 32-byte load widened to int16 (vpmovsxbw) and one vpmaddwd against the broadcast query pair
/// give 16 partial sums with no horizontal work: 32 multiply-adds per 2 instructions (the float path of the previous
/// kernel needed 3 per 16). Dp is D rounded up to even (the pad dimension is 0).
/// </para>
/// <para>
/// <see cref="NextHit"/> runs the block loop itself and returns only at a block with a lane above the floor (about one
/// block in five at K = 1 % of the corpus), so the per-block cost is the kernel alone: a call per block with span
/// slicing cost as much as the kernel (0.28 vs 0.12 ms per 100k × 64 scan). Tiers (<see cref="IBlockKernel"/>):
/// AVX-512BW, AVX2 and scalar, the twin and test oracle; integer sums are exact and the float steps are the same
/// operations in the same order, so every tier returns bit-identical results.
/// </para>
/// </summary>
internal static class ExactScan
{
    /// <summary>Ads per block (one 512-bit vector of int32 sums).</summary>
    public const int BlockWidth = 16;

    /// <summary>The mask <see cref="NextHit"/> reports for a block a writer was changing: re-read it.</summary>
    public const uint Torn = uint.MaxValue;

    /// <summary>Bytes of one block for <paramref name="dimensions"/> dimensions.</summary>
    public static int BlockBytes(int dimensions) => PaddedDimensions(dimensions) * BlockWidth;

    /// <summary>D rounded up to even: the kernel consumes dimensions in pairs.</summary>
    public static int PaddedDimensions(int dimensions) => (dimensions + 1) & ~1;

    /// <summary>
    /// The largest query code for <paramref name="dimensions"/> dimensions such that Σ_j |code| · |q| ≤ Dp · 127 · qMax
    /// cannot overflow int32: 32,767 (the int16 limit) up to D = 516, less beyond.
    /// </summary>
    public static int MaxQueryCode(int dimensions) => (int)Math.Min(short.MaxValue, int.MaxValue / (127L * PaddedDimensions(dimensions)));

    /// <summary>
    /// Scores blocks <paramref name="from"/>, <paramref name="from"/> + 1, … below <paramref name="to"/> and returns the
    /// first whose mask (lanes with approx + h ≥ <paramref name="floor"/>) is not zero, with approx and h of its 16 lanes
    /// in <paramref name="approx"/> and <paramref name="halfWidth"/>; returns <paramref name="to"/> when there is none.
    /// Blocks are first tested against their largest possible half-width (BlockMax), lanes only when that passes.
    /// A block whose seqlock version was odd or changed during the read is returned with mask <see cref="Torn"/>.
    /// </summary>
    public static int NextHit(in ScanSource source, int from, int to, in ScanQuery p, float floor, Span<float> approx, Span<float> halfWidth, out uint mask)
    {
        if (Avx512BW.IsSupported) return NextHit<Avx512Kernel>(source, from, to, p, floor, approx, halfWidth, out mask);
        if (Avx2.IsSupported) return NextHit<Avx2Kernel>(source, from, to, p, floor, approx, halfWidth, out mask);
        return NextHit<ScalarKernel>(source, from, to, p, floor, approx, halfWidth, out mask);
    }

    /// <summary><see cref="NextHit"/> on one tier (tests run every tier the machine supports).</summary>
    internal static int NextHit<TKernel>(in ScanSource source, int from, int to, in ScanQuery p, float floor, Span<float> approx, Span<float> halfWidth, out uint mask)
        where TKernel : struct, IBlockKernel
    {
        int pairs = source.Query.Length / BlockWidth, blockBytes = pairs * 2 * BlockWidth;
        if ((uint)from > (uint)to || to > source.Versions.Length || 2L * to > source.BlockMax.Length || (long)to * blockBytes > source.Codes.Length
            || (long)to * BlockWidth > source.Scales.Length || (long)to * BlockWidth > source.Errors.Length
            || approx.Length < BlockWidth || halfWidth.Length < BlockWidth)
            throw new ArgumentException($"ExactScan.NextHit: blocks {from}..{to} do not fit the spans given.");
        ref sbyte codes = ref MemoryMarshal.GetReference(source.Codes);
        ref int versions = ref MemoryMarshal.GetReference(source.Versions);
        ref float blockMax = ref MemoryMarshal.GetReference(source.BlockMax);
        ref float scales = ref MemoryMarshal.GetReference(source.Scales);
        ref float errors = ref MemoryMarshal.GetReference(source.Errors);
        ref int query = ref MemoryMarshal.GetReference(source.Query);
        ref float a = ref MemoryMarshal.GetReference(approx);
        ref float h = ref MemoryMarshal.GetReference(halfWidth);
        for (int b = from; b < to; b++)
        {
            int version = Volatile.Read(ref Unsafe.Add(ref versions, b));
            // The largest half-width any lane of the block can have; a lane whose approx stays below floor − that
            // cannot pass, so most blocks need neither per-lane bounds nor stores. The relative 2^-20 covers the
            // rounding of approx + h in the per-lane test, so the block test never rejects a lane that would pass.
            float hMax = Unsafe.Add(ref blockMax, 2 * b) * p.ErrorWeight + Unsafe.Add(ref blockMax, 2 * b + 1) * p.ScaleWeight + p.Slack;
            float coarse = floor - hMax - (MathF.Abs(floor) + hMax) * (1f / (1 << 20));
            uint m = TKernel.Score(ref Unsafe.Add(ref codes, (nint)b * blockBytes), ref query, pairs,
                ref Unsafe.Add(ref scales, b * BlockWidth), ref Unsafe.Add(ref errors, b * BlockWidth), p, coarse, floor, ref a, ref h);
            Volatile.ReadBarrier(); // the data reads above complete before the version is read again
            if ((version & 1) != 0 || Volatile.Read(ref Unsafe.Add(ref versions, b)) != version) { mask = Torn; return b; }
            if (m != 0) { mask = m; return b; }
        }
        mask = 0;
        return to;
    }

    /// <summary>
    /// Quantises <paramref name="query"/> to int16 codes packed in pairs, each pair written 16 times
    /// (<paramref name="pairs"/>, Dp/2 × 16: the AVX2 tier loads eight as a vector, the AVX-512 tier broadcasts one), and
    /// returns the factors of the score bound |float exact − approx| ≤ error · ErrorWeight + scale · ScaleWeight + Slack
    /// for an ad stored as scale · code + e with ‖e‖₂ = error (docs/design/exact-retrieval.md derives it):
    /// <list type="bullet">
    /// <item>e · query ≤ error · ‖query‖ (Cauchy–Schwarz);</item>
    /// <item>(scale · code) · (query rounding) ≤ ‖scale · code‖₁ · max|query rounding| ≤ 127 · Dp · scale · max|eq|;</item>
    /// <item>float rounding of the exact re-score (≤ (Dp + 8) ulp-units of Σ|x_j q_j|) and of approx ± h (5 units), with
    /// Σ|x_j q_j| ≤ 127 · Dp · scale · max|q| + error · ‖query‖.</item>
    /// </list>
    /// Both weights are inflated by 1e-5 relative so the float evaluation of the bound itself cannot round it below the
    /// real one.
    /// </summary>
    public static ScanQuery PrepareQuery(ReadOnlySpan<float> query, Span<int> pairs)
    {
        int d = query.Length, dp = PaddedDimensions(d);
        if (pairs.Length != dp / 2 * BlockWidth) throw new ArgumentException($"ExactScan.PrepareQuery: {pairs.Length} ints for {d} dimensions, expected {dp / 2 * BlockWidth}.", nameof(pairs));
        float max = MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(query)); // the element itself, signed
        int qMax = MaxQueryCode(d);
        float scale = max > 0 ? max / qMax : 0f;
        double maxRounding = 0, norm2 = 0;
        for (int g = 0; g < dp / 2; g++)
        {
            int lo = Code(query, 2 * g, scale, qMax, ref maxRounding, ref norm2);
            int hi = Code(query, 2 * g + 1, scale, qMax, ref maxRounding, ref norm2);
            pairs.Slice(g * BlockWidth, BlockWidth).Fill((ushort)lo | hi << 16);
        }
        const double unit = 1.0 / (1 << 24); // float unit roundoff
        double floatError = (dp + 8 + 5) * unit;
        double errorWeight = Math.Sqrt(norm2) * (1 + floatError);
        double scaleWeight = 127.0 * dp * (maxRounding + floatError * max);
        return new ScanQuery(scale, (float)(errorWeight * 1.00001), (float)(scaleWeight * 1.00001), 1e-30f);
    }

    private static int Code(ReadOnlySpan<float> query, int j, float scale, int qMax, ref double maxRounding, ref double norm2)
    {
        if (j >= query.Length) return 0; // the pad dimension of an odd D
        float x = query[j];
        int code = scale > 0 ? Math.Clamp((int)MathF.Round(x / scale), -qMax, qMax) : 0;
        maxRounding = Math.Max(maxRounding, Math.Abs(x - (double)scale * code));
        norm2 += (double)x * x;
        return code;
    }

}

/// <summary>The stored side of a scan: codes (blocks × Dp × 16), block versions, per-ad scales and errors, and the broadcast query (Dp/2 × 16).</summary>
internal readonly ref struct ScanSource(ReadOnlySpan<sbyte> codes, ReadOnlySpan<int> versions, ReadOnlySpan<float> blockMax,
    ReadOnlySpan<float> scales, ReadOnlySpan<float> errors, ReadOnlySpan<int> query)
{
    /// <summary>Int8 codes in block layout.</summary>
    public readonly ReadOnlySpan<sbyte> Codes = codes;
    /// <summary>Seqlock version per block.</summary>
    public readonly ReadOnlySpan<int> Versions = versions;
    /// <summary>Per block: the largest error and the largest scale of its 16 slots (2 floats).</summary>
    public readonly ReadOnlySpan<float> BlockMax = blockMax;
    /// <summary>Per-ad scale.</summary>
    public readonly ReadOnlySpan<float> Scales = scales;
    /// <summary>Per-ad quantisation error ‖x − scale · code‖₂.</summary>
    public readonly ReadOnlySpan<float> Errors = errors;
    /// <summary>Query codes, two int16 per int (low = even dimension), each pair repeated 16 times (Dp/2 × 16).</summary>
    public readonly ReadOnlySpan<int> Query = query;
}

/// <summary>The per-query factors of <see cref="ExactScan.NextHit"/>: approx = dot · scale · Scale; halfWidth = error · ErrorWeight + scale · ScaleWeight + Slack.</summary>
/// <param name="Scale">The query's int16 scale (query ≈ Scale · code).</param>
/// <param name="ErrorWeight">Multiplies an ad's quantisation error: ‖query‖, rounded up.</param>
/// <param name="ScaleWeight">Multiplies an ad's scale: covers the query's rounding and float rounding.</param>
/// <param name="Slack">Absolute slack (keeps the bound positive when both terms vanish).</param>
internal readonly record struct ScanQuery(float Scale, float ErrorWeight, float ScaleWeight, float Slack);
