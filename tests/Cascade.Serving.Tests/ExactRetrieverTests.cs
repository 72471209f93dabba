using Cascade.Index;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>
/// The exact retrieval method: top-K against a plain scalar oracle (ties, filters, updates, deletes, growth, K ≥ corpus,
/// empty corpus, a misleading sample), concurrent writes during searches, and allocation per search.
/// </summary>
public class ExactRetrieverTests
{
    private static float[] Unit(Random rng, int d, float[]? center = null, float spread = 1f) => ExactScanTests.Unit(rng, d, center, spread);

    private static float Dot(float[] a, ReadOnlySpan<float> b) { float s = 0; for (int j = 0; j < a.Length; j++) s += a[j] * b[j]; return s; }

    // Same scores at every rank as the oracle (ids may differ only between ads whose scores tie to float precision:
    // the oracle sums sequentially, the retriever with SIMD, ≤ 64 terms of |x| ≤ 1 differ by < 1e-5).
    private static void AssertTopK(Dictionary<long, float[]> vectors, Func<long, bool> qualifies, float[] query, int k, ReadOnlySpan<SearchResult> results, int found)
    {
        var truth = vectors.Where(v => qualifies(v.Key)).Select(v => Dot(v.Value, query)).OrderDescending().Take(k).ToArray();
        Assert.Equal(truth.Length, found);
        var seen = new HashSet<long>();
        for (int i = 0; i < found; i++)
        {
            var hit = results[i];
            Assert.True(qualifies(hit.Id), $"rank {i}: ad {hit.Id} does not qualify");
            Assert.True(seen.Add(hit.Id), $"rank {i}: ad {hit.Id} twice");
            Assert.InRange(1f - hit.Distance, truth[i] - 1e-5f, truth[i] + 1e-5f);
            float own = Dot(vectors[hit.Id], query);
            Assert.InRange(1f - hit.Distance, own - 1e-5f, own + 1e-5f);
        }
    }

    // Clustered vectors make many near-ties where int8 scores alone would reorder ads; exact duplicates make true ties.
    [Theory]
    [InlineData(3000, 100, 32, 0.05f)]
    [InlineData(2000, 500, 64, 1f)]
    [InlineData(50, 100, 8, 1f)]     // K ≥ corpus: every qualifying ad, best first
    [InlineData(9000, 1000, 64, 0.3f)] // large enough for the sampled floor (≥ 512 blocks)
    [InlineData(700, 7, 13, 0.2f)]   // odd D
    public void TopKEqualsTheOracleWithFilterUpdatesAndDeletes(int n, int k, int d, float spread)
    {
        var rng = new Random(n + k);
        var center = Unit(rng, d);
        var retriever = new ExactRetriever(d, capacity: 16); // grows several times
        var vectors = new Dictionary<long, float[]>();
        var eligible = new Dictionary<long, bool>();
        for (long id = 1; id <= n; id++)
        {
            vectors[id] = id % 10 == 0 ? vectors[id - 1] : Unit(rng, d, center, spread); // exact duplicates: ties
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
            for (int q = 0; q < 4; q++)
            {
                var query = Unit(rng, d, center, spread);
                int found = retriever.Search(query, k, results, onlyEligible, scratch);
                AssertTopK(vectors, id => !onlyEligible || eligible[id], query, k, results, found);
                Assert.InRange(scratch.LastRescored, found, vectors.Count);
            }
        }
    }

    [Fact]
    public void EmptyCorpusAndSingleAd()
    {
        var r = new ExactRetriever(4);
        var results = new SearchResult[3];
        Assert.Equal(0, r.Search([1, 0, 0, 0], 3, results, true, new ExactRetriever.Scratch()));
        r.Upsert(9, [0, 1, 0, 0], eligible: false);
        Assert.Equal(0, r.Search([0, 1, 0, 0], 3, results, true, new ExactRetriever.Scratch()));
        Assert.Equal(1, r.Search([0, 1, 0, 0], 3, results, false, new ExactRetriever.Scratch()));
        Assert.Equal(9, results[0].Id);
        Assert.Equal(0f, results[0].Distance, 6);
        Assert.True(r.Delete(9));
        Assert.Equal(0, r.Search([0, 1, 0, 0], 3, results, false, new ExactRetriever.Scratch()));
    }

    // The sample (every 4th block of 8,192 ads) holds the 60 best ads and the rest are far below, so the sampled floor
    // (the ~54th best) lies above the 100th best lower bound: the search must notice and scan again without it.
    [Fact]
    public void AMisleadingSampleFallsBackToAFullScan()
    {
        int d = 16, n = 8192, k = 100;
        var rng = new Random(2);
        var query = Unit(rng, d);
        var retriever = new ExactRetriever(d, n);
        var vectors = new Dictionary<long, float[]>();
        int best = 0;
        for (long id = 0; id < n; id++)
        {
            int block = (int)(id / 16);
            bool sampled = block % 4 == 0 && best < 60;
            var v = sampled ? Unit(rng, d, query, 0.05f) : Unit(rng, d, query.Select(x => -x).ToArray(), 0.5f);
            if (sampled) best++;
            vectors[id] = v;
            retriever.Upsert(id, v, true);
        }
        var scratch = new ExactRetriever.Scratch();
        var results = new SearchResult[k];
        int found = retriever.Search(query, k, results, true, scratch);
        Assert.True(scratch.LastFallbacks == 1, $"fallbacks {scratch.LastFallbacks} candidates {scratch.LastCandidates} rescored {scratch.LastRescored} found {found} best {Dot(vectors[results[0].Id], query)} 60th {(found > 59 ? 1 - results[59].Distance : 0)} 61st {(found > 60 ? 1 - results[60].Distance : 0)}");
        AssertTopK(vectors, _ => true, query, k, results, found);
    }

    // One writer keeps replacing every ad with one of two known vectors and deleting/re-adding others while readers
    // search: every score a reader returns must be the exact score of one of the two versions (a torn vector gives
    // neither), no id appears twice, and an ad deleted before a search started never comes back from it.
    [Fact]
    public async Task ConcurrentWritesNeverShowTornVectors()
    {
        int d = 32, n = 2048, k = 200;
        var rng = new Random(4);
        var a = Enumerable.Range(0, n).Select(_ => Unit(rng, d)).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => Unit(rng, d)).ToArray();
        var retriever = new ExactRetriever(d, n);
        for (int i = 0; i < n; i++) retriever.Upsert(i, a[i], true);
        long deletedBelow = n; // ids ≥ n are added and deleted in order; every id below this one is gone for good
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            var w = new Random(5);
            long next = n;
            retriever.Upsert(next, a[0], true);
            while (!stop.IsCancellationRequested)
            {
                int i = w.Next(n);
                retriever.Upsert(i, w.Next(2) == 0 ? a[i] : b[i], true);
                if (w.Next(8) == 0)
                {
                    retriever.Upsert(next + 1, a[(int)((next + 1) % n)], true);
                    Assert.True(retriever.Delete(next));
                    next++;
                    Volatile.Write(ref deletedBelow, next);
                }
            }
        });
        var failures = new List<string>();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var scratch = new ExactRetriever.Scratch();
            var results = new SearchResult[k];
            var qr = new Random(10 + r);
            for (int round = 0; round < 150; round++)
            {
                var query = Unit(qr, d);
                long gone = Volatile.Read(ref deletedBelow);
                int found = retriever.Search(query, k, results, true, scratch);
                var seen = new HashSet<long>();
                for (int i = 0; i < found; i++)
                {
                    long id = results[i].Id;
                    float score = 1f - results[i].Distance;
                    int row = (int)(id % n);
                    bool ok = Math.Abs(score - Dot(a[row], query)) < 1e-5f || (id < n && Math.Abs(score - Dot(b[row], query)) < 1e-5f);
                    if (!ok) lock (failures) failures.Add($"ad {id}: score {score} matches neither version");
                    if (!seen.Add(id)) lock (failures) failures.Add($"ad {id} twice");
                    if (id >= n && id < gone) lock (failures) failures.Add($"ad {id} deleted before the search began");
                }
            }
        })).ToArray();
        await Task.WhenAll(readers);
        stop.Cancel();
        await writer;
        Assert.Empty(failures);
    }

    [Fact]
    public void SteadyStateSearchesAllocateNothing()
    {
        var rng = new Random(6);
        var retriever = new ExactRetriever(64, 10_000);
        for (int i = 0; i < 10_000; i++) retriever.Upsert(i, Unit(rng, 64), i % 5 != 0);
        var queries = Enumerable.Range(0, 8).Select(_ => Unit(rng, 64)).ToArray();
        var scratch = new ExactRetriever.Scratch();
        var results = new SearchResult[500];
        for (int i = 0; i < 40; i++) retriever.Search(queries[i % 8], 500, results, true, scratch);
        // Cleanest of five rounds: tiered JIT may charge one-off bookkeeping to a round.
        long cleanest = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 16; i++) retriever.Search(queries[i % 8], 500, results, i % 2 == 0, scratch);
            cleanest = Math.Min(cleanest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, cleanest);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var r = new ExactRetriever(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExactRetriever(0));
        Assert.Throws<ArgumentException>(() => r.Upsert(1, new float[3], true));
        Assert.Throws<ArgumentException>(() => r.Upsert(1, [float.NaN, 0, 0, 0], true));
        Assert.Throws<ArgumentException>(() => r.Upsert(1, [float.PositiveInfinity, 0, 0, 0], true));
        Assert.Throws<ArgumentException>(() => r.Search(new float[5], 1, new SearchResult[1], true, new ExactRetriever.Scratch()));
        Assert.Throws<ArgumentException>(() => r.Search([float.NaN, 0, 0, 0], 1, new SearchResult[1], true, new ExactRetriever.Scratch()));
        Assert.Throws<ArgumentException>(() => r.Search([1, 0, 0, 0], 2, new SearchResult[1], true, new ExactRetriever.Scratch()));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Search([1, 0, 0, 0], 0, new SearchResult[1], true, new ExactRetriever.Scratch()));
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
}
