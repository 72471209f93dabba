namespace Cascade.Index;

/// <summary>The similarity an index ranks by. Every search reports a distance where lower is better.</summary>
public enum Metric
{
    /// <summary>Inner product; distance = 1 − a·b (the hnswlib convention, so scores compare side by side).</summary>
    InnerProduct,

    /// <summary>Cosine similarity; vectors are L2-normalised on insert and query, distance = 1 − cos(a, b).</summary>
    Cosine,

    /// <summary>Euclidean; distance = ‖a − b‖² (squared: same ranking, no square root on the hot path).</summary>
    L2,
}

/// <summary>One search hit: the caller's item id and its distance to the query (lower is better, see <see cref="Metric"/>).</summary>
/// <param name="Id">The id given to Upsert/Add.</param>
/// <param name="Distance">Distance under the index metric; for neural search, the negated scorer output.</param>
public readonly record struct SearchResult(long Id, float Distance);
