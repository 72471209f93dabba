using Cascade.Index;

namespace Cascade.Index.Tests;

internal static class TestData
{
    /// <summary>Mean recall@k of approximate results against exact ones.</summary>
    public static double Recall(IReadOnlyList<SearchResult[]> approx, IReadOnlyList<SearchResult[]> exact, int k)
    {
        double hits = 0;
        for (int q = 0; q < exact.Count; q++)
        {
            var truth = new HashSet<long>(exact[q].Take(k).Select(r => r.Id));
            hits += approx[q].Take(k).Count(r => truth.Contains(r.Id)) / (double)Math.Min(k, truth.Count);
        }
        return hits / exact.Count;
    }

    public static (HnswIndex Hnsw, ExactIndex Exact) Build(float[] data, int dim, HnswOptions options)
    {
        var hnsw = new HnswIndex(dim, options);
        var exact = new ExactIndex(dim, options.Metric);
        int n = data.Length / dim;
        for (int i = 0; i < n; i++)
        {
            hnsw.Upsert(i, data.AsSpan(i * dim, dim));
            exact.Upsert(i, data.AsSpan(i * dim, dim));
        }
        return (hnsw, exact);
    }

    public static double MeasureRecall(HnswIndex hnsw, ExactIndex exact, float[] queries, int dim, int k, int ef)
    {
        int q = queries.Length / dim;
        var approx = new List<SearchResult[]>();
        var truth = new List<SearchResult[]>();
        for (int i = 0; i < q; i++)
        {
            var query = queries.AsSpan(i * dim, dim);
            approx.Add(hnsw.Search(query, k, ef));
            truth.Add(exact.Search(query, k));
        }
        return Recall(approx, truth, k);
    }
}
