using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Tests;

public class EncoderTests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1aMatchesPublishedGoldenValues(string text, ulong expected)
    {
        // Golden values from the FNV reference test vectors: hashing must never change between runs or builds.
        Assert.Equal(expected, StableHash.Fnv1a64(text));
        Assert.Equal(expected, StableHash.Fnv1a64(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void HashBucketsAreStableAndInRange()
    {
        // Golden buckets pin the exact mapping used by saved models (1 + FNV-1a64 mod 1000).
        Assert.Equal(1 + (int)(0xaf63dc4c8601ec8cUL % 1000), StableHash.Bucket("a", 1000));
        var rng = new FeatureRng(5);
        for (int i = 0; i < 2000; i++)
        {
            string s = rng.NextUInt64().ToString("x");
            int b = StableHash.Bucket(s, 97);
            Assert.InRange(b, 1, 97);
            Assert.Equal(b, StableHash.Bucket(s.AsSpan(), 97));
        }
        Assert.NotEqual(StableHash.Fnv1a64("é"), StableHash.Fnv1a64("e"));
    }

    [Fact]
    public void MnsDigitsReconstructTheValueInEveryBase()
    {
        var rng = new FeatureRng(11);
        for (int trial = 0; trial < 300; trial++)
        {
            int nb = 1 + rng.NextInt(3);
            var bases = Enumerable.Range(0, nb).Select(_ => 2 + rng.NextInt(15)).Distinct().ToArray();
            long max = 1 + rng.NextInt(1_000_000);
            var code = new MnsCode(bases, max);
            var ids = new int[code.Width];
            for (int k = 0; k < 20; k++)
            {
                long v = rng.NextInt((int)max + 1);
                code.Encode(v, ids);
                for (int j = 0; j < bases.Length; j++) Assert.Equal(v, code.Decode(ids, j));
                Assert.All(ids, id => Assert.InRange(id, 1, code.Size - 1));
                Assert.Equal(ids.Length, ids.Distinct().Count()); // (base, position, digit) ids never collide
            }
        }
    }

    [Fact]
    public void MnsMatchesThePaperExample()
    {
        // Tencent §3.1: 51 is 110011 in binary and 001220 in ternary (six positions each).
        var code = new MnsCode([2, 3], 63); // 6 binary digits; 63 < 3^4 → 4 ternary digits
        var ids = new int[code.Width];
        code.Encode(51, ids);
        int[] binary = ids[..6].Select((id, k) => id - 1 - k * 2).ToArray();
        Assert.Equal([1, 1, 0, 0, 1, 1], binary); // least significant first
        int[] ternary = ids[6..].Select((id, k) => id - 1 - 12 - k * 3).ToArray();
        Assert.Equal([0, 2, 2, 1], ternary);
        Assert.Equal(1 + 12 + 12, code.Size);
    }

    [Fact]
    public void MnsClampsAndMarksMissing()
    {
        var code = new MnsCode([2, 3, 10], 1000);
        Assert.Equal(10 + 7 + 4, code.Width);
        var ids = new int[code.Width];
        code.Encode(5000, ids);
        Assert.Equal(1000, code.Decode(ids, 2));
        code.Encode(-3, ids);
        Assert.Equal(0, code.Decode(ids, 0));
        code.EncodeMissing(ids);
        Assert.All(ids, id => Assert.Equal(0, id));
    }

    [Fact]
    public void VocabularyRoundTripsWithMinCountAndOov()
    {
        var b = new Vocabulary.Builder();
        foreach (var s in new[] { "b", "a", "b", "c", "a", "b", "", "d" }) b.Add(s);
        var v = b.Build(minCount: 2);
        Assert.Equal(["b", "a"], v.Tokens); // by count, then ordinal
        Assert.Equal(3, v.Size);
        Assert.Equal(1, v.Encode("b"));
        Assert.Equal(Vocabulary.Oov, v.Encode("c"));
        Assert.Equal(Vocabulary.Oov, v.Encode("zzz"));
        var rng = new FeatureRng(3);
        var big = new Vocabulary.Builder();
        for (int i = 0; i < 5000; i++) big.Add(rng.NextInt(700).ToString());
        var vb = big.Build(1);
        for (int id = 1; id < vb.Size; id++) Assert.Equal(id, vb.Encode(vb.Decode(id)!));
        Assert.Null(vb.Decode(0));
    }

    [Fact]
    public void QuantileBucketsAreMonotoneAndBalanced()
    {
        var rng = new FeatureRng(9);
        var values = Enumerable.Range(0, 10_000).Select(_ => (float)Math.Exp(rng.NextGaussian())).ToArray();
        var q = QuantileBuckets.Fit(values, 10);
        Assert.Equal(9, q.Boundaries.Length);
        var counts = new int[q.Size];
        foreach (var x in values) counts[q.Encode(x)]++;
        for (int b = 1; b <= 10; b++) Assert.InRange(counts[b], 900, 1100);
        var sorted = values.Order().ToArray();
        for (int i = 1; i < sorted.Length; i++) Assert.True(q.Encode(sorted[i]) >= q.Encode(sorted[i - 1]));
        Assert.Equal(0, q.Encode(float.NaN));
        Assert.Single(QuantileBuckets.Fit([1, 1, 1, 1, 2], 4).Boundaries.Distinct()); // duplicates collapse
    }

    [Fact]
    public void SimHashIsScaleInvariantAndSensitiveToAngle()
    {
        var lsh = new SimHashLsh(16, 24, 7);
        var rng = new FeatureRng(1);
        int nearTotal = 0, farTotal = 0;
        for (int t = 0; t < 50; t++)
        {
            var a = Enumerable.Range(0, 16).Select(_ => (float)rng.NextGaussian()).ToArray();
            var near = a.Select(x => x + 0.1f * (float)rng.NextGaussian()).ToArray();
            var far = Enumerable.Range(0, 16).Select(_ => (float)rng.NextGaussian()).ToArray();
            long c = lsh.Code(a);
            Assert.Equal(c, lsh.Code(a.Select(x => 3 * x).ToArray()));
            Assert.Equal(lsh.MaxCode ^ c, lsh.Code(a.Select(x => -x).ToArray()));
            nearTotal += (int)long.PopCount(c ^ lsh.Code(near));
            farTotal += (int)long.PopCount(c ^ lsh.Code(far));
        }
        // Expected Hamming distance is bits·θ/π: ~0.8 bits for the 0.1-noise neighbours, ~12 for random vectors.
        Assert.True(nearTotal * 4 < farTotal, $"near {nearTotal} far {farTotal}");
        Assert.Equal(new SimHashLsh(16, 24, 7).Code([.. Enumerable.Range(0, 16).Select(i => (float)i - 7)]),
                     lsh.Code([.. Enumerable.Range(0, 16).Select(i => (float)i - 7)]));
    }

    [Theory]
    [InlineData(DenseTransform.Raw, 5f, 5f)]
    [InlineData(DenseTransform.MinMax, 5f, 0.5f)]
    [InlineData(DenseTransform.Log1p, 5f, 1.7917595f)]
    [InlineData(DenseTransform.Log1p, -5f, -1.7917595f)]
    public void DenseTransformsApplyFittedStatistics(DenseTransform t, float x, float expected)
    {
        var s = DenseScaler.Fit(t, [0f, 10f, float.NaN]);
        Assert.Equal(expected, s.Apply(x), 5);
        Assert.Equal(0f, s.Apply(float.NaN));
        var z = DenseScaler.Fit(DenseTransform.Standardize, [1f, 3f]);
        Assert.Equal(1f, z.Apply(3f), 5);
    }
}
