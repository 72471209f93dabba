using System.Runtime.Intrinsics.X86;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>
/// The int8 block kernel of the exact retriever: every SIMD tier the machine has against the scalar twin (bit for bit),
/// the score bound |exact − approx| ≤ h on adversarial vectors, the seqlock's torn-block report, and the selection.
/// </summary>
public class ExactScanTests
{
    internal static float[] Unit(Random rng, int d, float[]? center = null, float spread = 1f)
    {
        var v = new float[d];
        for (int j = 0; j < d; j++) v[j] = (center?[j] ?? 0f) + spread * (float)(rng.NextDouble() * 2 - 1);
        Cascade.Serving.Bundles.Bundle.NormalizeInPlace(v);
        return v;
    }

    // A hand-built store of `blocks` blocks in ExactScan's layout, from real vectors (so the bound can be checked).
    private sealed class Blocks
    {
        public Blocks(float[][] vectors)
        {
            int d = vectors[0].Length, dp = ExactScan.PaddedDimensions(d), w = ExactScan.BlockWidth;
            int blocks = (vectors.Length + w - 1) / w;
            Codes = new sbyte[blocks * ExactScan.BlockBytes(d)];
            Versions = new int[blocks];
            BlockMax = new float[2 * blocks];
            Scales = new float[blocks * w];
            Errors = new float[blocks * w];
            var code = new sbyte[dp];
            for (int i = 0; i < vectors.Length; i++)
            {
                (Scales[i], Errors[i]) = ExactRetriever.Quantize(vectors[i], code);
                int b = i / w, lane = i % w;
                for (int j = 0; j < dp; j++) Codes[b * ExactScan.BlockBytes(d) + j / 2 * 2 * w + lane * 2 + (j & 1)] = code[j];
                BlockMax[2 * b] = Math.Max(BlockMax[2 * b], Errors[i]);
                BlockMax[2 * b + 1] = Math.Max(BlockMax[2 * b + 1], Scales[i]);
            }
        }
        public readonly sbyte[] Codes;
        public readonly int[] Versions;
        public readonly float[] BlockMax, Scales, Errors;
        public int Count => Versions.Length;
        public ScanSource Source(int[] query) => new(Codes, Versions, BlockMax, Scales, Errors, query);
    }

    private static int[] Query(float[] q, out ScanQuery p)
    {
        var pairs = new int[ExactScan.PaddedDimensions(q.Length) / 2 * ExactScan.BlockWidth];
        p = ExactScan.PrepareQuery(q, pairs);
        return pairs;
    }

    // (approx, half, mask) of every block on one tier, with `floor`.
    private static (float[] Approx, float[] Half, uint[] Masks) ScanAll<TKernel>(Blocks blocks, int[] query, ScanQuery p, float floor)
        where TKernel : struct, IBlockKernel
    {
        int w = ExactScan.BlockWidth;
        var approx = new float[blocks.Count * w];
        var half = new float[blocks.Count * w];
        var masks = new uint[blocks.Count];
        for (int b = 0; b < blocks.Count; b++)
        {
            int hit = ExactScan.NextHit<TKernel>(blocks.Source(query), b, b + 1, p, floor, approx.AsSpan(b * w, w), half.AsSpan(b * w, w), out masks[b]);
            Assert.True(hit == b || (hit == b + 1 && masks[b] == 0));
        }
        return (approx, half, masks);
    }

    [Theory]
    [InlineData(64, 0.05f)]
    [InlineData(13, 1f)]   // odd D: a zero pad dimension
    [InlineData(1, 1f)]
    [InlineData(130, 0.3f)]
    public void EveryTierMatchesTheScalarTwinBitForBit(int d, float spread)
    {
        var rng = new Random(d);
        var center = Unit(rng, d);
        var vectors = Enumerable.Range(0, 16 * 7 + 5).Select(_ => Unit(rng, d, center, spread)).ToArray();
        vectors[3] = new float[d]; // a zero vector: scale 0
        var blocks = new Blocks(vectors);
        var query = Query(Unit(rng, d, center, spread), out var p);
        foreach (float floor in new[] { float.NegativeInfinity, 0.9f, float.PositiveInfinity })
        {
            var slow = ScanAll<ScalarKernel>(blocks, query, p, floor);
            var tiers = new List<(float[], float[], uint[])>();
            if (Avx2.IsSupported) tiers.Add(ScanAll<Avx2Kernel>(blocks, query, p, floor));
            if (Avx512BW.IsSupported) tiers.Add(ScanAll<Avx512Kernel>(blocks, query, p, floor));
            foreach (var fast in tiers)
            {
                Assert.Equal(slow.Masks, fast.Item3);
                for (int b = 0; b < blocks.Count; b++)
                {
                    if (slow.Masks[b] == 0) continue; // spans are unspecified for a block that is not returned
                    Assert.Equal(slow.Approx.AsSpan(b * 16, 16).ToArray(), fast.Item1.AsSpan(b * 16, 16).ToArray());
                    Assert.Equal(slow.Half.AsSpan(b * 16, 16).ToArray(), fast.Item2.AsSpan(b * 16, 16).ToArray());
                }
            }
            if (floor == float.NegativeInfinity) Assert.All(slow.Masks, m => Assert.Equal(0xFFFFu, m));
            if (floor == float.PositiveInfinity) Assert.All(slow.Masks, m => Assert.Equal(0u, m));
        }
    }

    // The bound must hold for every ad, including the worst cases for int8: one dominant coordinate (coarse scale for
    // the rest), constant vectors, tiny components, and un-normalised vectors.
    [Fact]
    public void ScoreBoundHoldsForEveryAd()
    {
        var rng = new Random(7);
        int d = 64;
        var vectors = new List<float[]>();
        for (int i = 0; i < 400; i++) vectors.Add(Unit(rng, d));
        for (int i = 0; i < 100; i++) { var v = Unit(rng, d, spread: 0.05f); v[i % d] = 0.97f; vectors.Add(v); }
        for (int i = 0; i < 20; i++) vectors.Add(Enumerable.Repeat(0.125f * (i % 2 == 0 ? 1 : -1), d).ToArray());
        for (int i = 0; i < 20; i++) vectors.Add(Unit(rng, d).Select(x => x * 1e-6f).ToArray());
        for (int i = 0; i < 20; i++) vectors.Add(Unit(rng, d).Select(x => x * 37f).ToArray());
        var blocks = new Blocks(vectors.ToArray());
        for (int t = 0; t < 20; t++)
        {
            var q = t % 4 == 3 ? Unit(rng, d).Select(x => x * 3f).ToArray() : Unit(rng, d);
            if (t % 5 == 4) { Array.Clear(q); q[t] = 1f; } // a one-hot query
            var query = Query(q, out var p);
            var (approx, half, _) = ScanAll<ScalarKernel>(blocks, query, p, float.NegativeInfinity);
            for (int i = 0; i < vectors.Count; i++)
            {
                double exact = 0;
                for (int j = 0; j < d; j++) exact += (double)vectors[i][j] * q[j];
                float fast = System.Numerics.Tensors.TensorPrimitives.Dot(vectors[i], q);
                Assert.True(Math.Abs(exact - approx[i]) <= half[i], $"ad {i} query {t}: |{exact} − {approx[i]}| > {half[i]}");
                Assert.True(Math.Abs(fast - approx[i]) <= half[i], $"ad {i} query {t}: float dot {fast} outside {approx[i]} ± {half[i]}");
            }
        }
    }

    [Fact]
    public void ABlockBeingWrittenIsReportedTorn()
    {
        var rng = new Random(3);
        var blocks = new Blocks(Enumerable.Range(0, 48).Select(_ => Unit(rng, 8)).ToArray());
        var query = Query(Unit(rng, 8), out var p);
        var a = new float[16];
        var h = new float[16];
        blocks.Versions[1] = 3; // odd: a writer is inside block 1; block 0 is stable and below the floor, so the scan stops at 1
        Assert.Equal(1, ExactScan.NextHit(blocks.Source(query), 0, 3, p, float.PositiveInfinity, a, h, out uint m1));
        Assert.Equal(ExactScan.Torn, m1);
        blocks.Versions[1] = 4;
        Assert.Equal(3, ExactScan.NextHit(blocks.Source(query), 0, 3, p, float.PositiveInfinity, a, h, out uint m2));
        Assert.Equal(0u, m2);
    }

    [Fact]
    public void KthLargestEqualsSorting()
    {
        var rng = new Random(11);
        foreach (int n in new[] { 1, 2, 3, 10, 100, 1000, 4097 })
        {
            // Few distinct values make many ties; sorted and reversed inputs are the classic quickselect traps.
            var inputs = new[]
            {
                Enumerable.Range(0, n).Select(_ => (float)rng.Next(5)).ToArray(),
                Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray(),
                Enumerable.Range(0, n).Select(i => (float)i).ToArray(),
                Enumerable.Range(0, n).Select(i => (float)-i).ToArray(),
            };
            foreach (var values in inputs)
            {
                var sorted = values.OrderDescending().ToArray();
                foreach (int k in new[] { 1, (n + 1) / 2, n })
                {
                    var work = values.ToArray();
                    float kth = Selection.KthLargest(work, k);
                    Assert.Equal(sorted[k - 1], kth);
                    Assert.All(work.Take(k), v => Assert.True(v >= kth));
                    Assert.All(work.Skip(k), v => Assert.True(v <= kth));
                }
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.KthLargest(new float[3], 4));
    }
}
