using Cascade.Index;

namespace Cascade.Index.Tests;

/// <summary>The serving shape: k = ef in the hundreds (K = 1,000 in production), HNSW against the exact scan.</summary>
public class LargeKTests
{
    private const int Dim = 16, N = 4_000;

    [Fact]
    public void LargeKSearchIsSortedDistinctConsistentAndHighRecall()
    {
        var data = SyntheticVectors.GaussianMixture(N, Dim, 40, 0.15f, normalize: true, seed: 81);
        var queries = SyntheticVectors.GaussianMixture(20, Dim, 40, 0.15f, normalize: true, seed: 82);
        var (hnsw, exact) = TestData.Build(data, Dim, new HnswOptions { Metric = Metric.InnerProduct, M = 12, EfConstruction = 100 });
        for (int d = 0; d < 200; d++) hnsw.Delete(d * 7L); // deleted nodes are walked through but never returned
        for (int d = 0; d < 200; d++) exact.Delete(d * 7L);
        const int k = 500;
        var hits = new SearchResult[k];
        double recall = 0;
        for (int q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * Dim, Dim);
            int n = hnsw.Search(query, k, k, hits);
            Assert.Equal(k, n);
            var ids = new HashSet<long>();
            for (int i = 0; i < n; i++)
            {
                Assert.True(ids.Add(hits[i].Id), $"query {q}: id {hits[i].Id} returned twice");
                Assert.False(hits[i].Id % 7 == 0 && hits[i].Id < 1_400, $"query {q}: deleted id {hits[i].Id} returned");
                if (i > 0) Assert.True(hits[i - 1].Distance <= hits[i].Distance, $"query {q}: results not sorted at {i}");
                float expected = 1f - DistancesReference.Dot(query, data.AsSpan((int)hits[i].Id * Dim, Dim));
                Assert.Equal(expected, hits[i].Distance, 1e-5f);
            }
            var truth = new HashSet<long>(exact.Search(query, k).Select(r => r.Id));
            recall += hits.Count(h => truth.Contains(h.Id)) / (double)k / 20;
        }
        Assert.True(recall >= 0.95, $"recall@500 at ef = 500 is {recall:F3}");
    }

    [Fact]
    public void ExactSpanSearchMatchesTheReferenceSortAndAllocatesNothing()
    {
        var data = SyntheticVectors.Uniform(N, Dim, 83);
        var exact = new ExactIndex(Dim, Metric.L2);
        for (int i = 0; i < N; i++) exact.Upsert(i, data.AsSpan(i * Dim, Dim));
        var results = new SearchResult[1_000];
        for (int q = 0; q < 5; q++)
        {
            var query = data.AsSpan((q * 131 + 5) * Dim, Dim).ToArray();
            query[0] += 0.01f;
            foreach (int k in new[] { 1, 7, 300, 1_000 })
            {
                int n = exact.Search(query, k, results);
                Assert.Equal(k, n);
                var reference = Enumerable.Range(0, N)
                    .Select(i => (Id: (long)i, Dist: DistancesReference.L2Squared(query, data.AsSpan(i * Dim, Dim))))
                    .OrderBy(p => p.Dist).ThenBy(p => p.Id).Take(k).ToArray();
                for (int i = 0; i < k; i++) Assert.Equal(reference[i].Dist, results[i].Distance, 1e-4f);
                Assert.Equal(exact.Search(query, k).Select(r => r.Id), results[..n].Select(r => r.Id));
            }
        }
        var small = new ExactIndex(Dim, Metric.L2);
        for (int i = 0; i < 5; i++) small.Upsert(i, data.AsSpan(i * Dim, Dim));
        Assert.Equal(5, small.Search(data.AsSpan(0, Dim), 1_000, results)); // k > N returns all N
        Assert.Equal(0, results[0].Id);

        var q0 = data.AsSpan(0, Dim).ToArray();
        long best = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) exact.Search(q0, 1_000, results);
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);
    }
}
