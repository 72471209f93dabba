using Cascade.Index;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>The exact retrieval method: the int8 block kernel against its scalar twin, and top-K against brute force.</summary>
public class ExactRetrieverTests
{
    private static float[] Unit(Random rng, int d, float[]? center = null, float spread = 1f)
    {
        var v = new float[d];
        for (int j = 0; j < d; j++) v[j] = (center?[j] ?? 0f) + spread * (float)(rng.NextDouble() * 2 - 1);
        Cascade.Serving.Bundles.Bundle.NormalizeInPlace(v);
        return v;
    }

    [Theory]
    [InlineData(64)]
    [InlineData(13)]
    [InlineData(1)]
    public void BlockKernelMatchesScalarTwin(int d)
    {
        var rng = new Random(d);
        var codes = new sbyte[d * ExactScan.BlockWidth + ExactScan.Padding];
        for (int i = 0; i < d * ExactScan.BlockWidth; i++) codes[i] = (sbyte)rng.Next(-127, 128);
        var scales = Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble() * 0.01f).ToArray();
        var query = Unit(rng, d);
        var fast = new float[16];
        var slow = new float[16];
        Assert.True(ExactScan.Block(query, codes, scales, fast, float.NegativeInfinity));
        Assert.True(ExactScan.BlockScalar(query, codes, scales, slow, float.NegativeInfinity));
        for (int i = 0; i < 16; i++) Assert.InRange(fast[i], slow[i] - 1e-5f, slow[i] + 1e-5f);
        // A floor above every score skips the block.
        Assert.False(ExactScan.Block(query, codes, scales, fast, slow.Max() + 1e-3f));
    }

    // Clustered vectors make many near-ties, where int8 scores alone would reorder ads: phase 2 must still be exact.
    [Theory]
    [InlineData(3000, 100, 32, 0.05f)]
    [InlineData(2000, 500, 64, 1f)]
    [InlineData(50, 100, 8, 1f)]
    public void TopKEqualsBruteForceWithFilterUpdatesAndDeletes(int n, int k, int d, float spread)
    {
        var rng = new Random(n + k);
        var center = Unit(rng, d);
        var retriever = new ExactRetriever(d, capacity: 16); // grows several times
        var vectors = new Dictionary<long, float[]>();
        var eligible = new Dictionary<long, bool>();
        for (long id = 1; id <= n; id++)
        {
            vectors[id] = Unit(rng, d, center, spread);
            eligible[id] = id % 7 != 0;
            retriever.Upsert(id, vectors[id], eligible[id]);
        }
        // Replace, re-flag and delete some ads; deleted slots are reused by new ids.
        for (long id = 1; id <= n; id += 11) { vectors[id] = Unit(rng, d, center, spread); retriever.Upsert(id, vectors[id], eligible[id]); }
        for (long id = 2; id <= n; id += 13) { eligible[id] = !eligible[id]; retriever.SetEligible(id, eligible[id]); }
        for (long id = 3; id <= n; id += 17) { vectors.Remove(id); eligible.Remove(id); Assert.True(retriever.Delete(id)); }
        for (long id = n + 1; id <= n + 20; id++) { vectors[id] = Unit(rng, d, center, spread); eligible[id] = true; retriever.Upsert(id, vectors[id], true); }
        Assert.Equal(vectors.Count, retriever.Count);
        Assert.False(retriever.Delete(3));

        var scratch = new ExactRetriever.Scratch();
        var results = new SearchResult[k];
        foreach (bool onlyEligible in new[] { true, false })
        {
            for (int q = 0; q < 5; q++)
            {
                var query = Unit(rng, d, center, spread);
                static float Dot(float[] a, float[] b) { float s = 0; for (int j = 0; j < a.Length; j++) s += a[j] * b[j]; return s; }
                var truth = vectors.Where(v => !onlyEligible || eligible[v.Key]).Select(v => Dot(v.Value, query)).OrderDescending().Take(k).ToArray();
                int found = retriever.Search(query, k, results, onlyEligible, scratch);
                Assert.Equal(truth.Length, found);
                for (int i = 0; i < found; i++)
                {
                    var hit = results[i];
                    Assert.True(!onlyEligible || eligible[hit.Id]);
                    // Same scores at every rank (ids may differ only between ads whose scores tie to float precision).
                    Assert.InRange(1f - hit.Distance, truth[i] - 1e-5f, truth[i] + 1e-5f);
                    float own = Dot(vectors[hit.Id], query);
                    Assert.InRange(1f - hit.Distance, own - 1e-5f, own + 1e-5f);
                }
                Assert.Equal(found, results.Take(found).Select(r => r.Id).Distinct().Count());
            }
        }
    }

    [Fact]
    public void HeapKeepsTheLargestInOrder()
    {
        var heap = new TopKHeap();
        var rng = new Random(5);
        var values = Enumerable.Range(0, 1000).Select(_ => (float)rng.NextDouble()).ToArray();
        heap.Reset(10);
        for (int i = 0; i < values.Length; i++) if (values[i] > heap.Threshold) heap.Push(values[i], i);
        Assert.Equal(10, heap.DrainDescending());
        Assert.Equal(values.OrderDescending().Take(10), heap.Keys.ToArray());
        for (int i = 0; i < 10; i++) Assert.Equal(heap.Keys[i], values[heap.Slots[i]]);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var r = new ExactRetriever(4);
        Assert.Throws<ArgumentException>(() => r.Upsert(1, new float[3], true));
        Assert.Throws<ArgumentException>(() => r.Upsert(1, [float.NaN, 0, 0, 0], true));
        Assert.Throws<ArgumentException>(() => r.Search(new float[5], 1, new SearchResult[1], true, new ExactRetriever.Scratch()));
        Assert.Equal(0, r.Search([1, 0, 0, 0], 3, new SearchResult[3], true, new ExactRetriever.Scratch()));
    }
}
