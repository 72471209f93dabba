namespace Cascade.Training.Metrics;

/// <summary>Top-K retrieval metrics for one query; average them over queries.</summary>
public static class RankingMetrics
{
    /// <summary>
    /// Recall@K = |top-K ∩ relevant| / |relevant| (NaN when nothing is relevant). Duplicate ids in
    /// <paramref name="ranked"/> count once.
    /// </summary>
    /// <param name="ranked">Retrieved ids, best first.</param>
    /// <param name="relevant">The ground-truth relevant ids.</param>
    /// <param name="k">Cut-off.</param>
    public static double RecallAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"Recall@K needs K > 0, got {k}.");
        if (relevant.Count == 0) return double.NaN;
        var seen = new HashSet<int>();
        int hits = 0;
        for (int i = 0; i < Math.Min(k, ranked.Length); i++)
            if (seen.Add(ranked[i]) && relevant.Contains(ranked[i])) hits++;
        return (double)hits / relevant.Count;
    }

    /// <summary>
    /// NDCG@K with binary gains: DCG = Σ_{i&lt;K, ranked[i] relevant} 1 / log2(i + 2), divided by the ideal DCG of
    /// min(K, |relevant|) hits at the top (NaN when nothing is relevant).
    /// </summary>
    public static double NdcgAtK(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"NDCG@K needs K > 0, got {k}.");
        if (relevant.Count == 0) return double.NaN;
        var seen = new HashSet<int>();
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranked.Length); i++)
            if (seen.Add(ranked[i]) && relevant.Contains(ranked[i])) dcg += 1 / Math.Log2(i + 2);
        double ideal = 0;
        for (int i = 0; i < Math.Min(k, relevant.Count); i++) ideal += 1 / Math.Log2(i + 2);
        return dcg / ideal;
    }
}
