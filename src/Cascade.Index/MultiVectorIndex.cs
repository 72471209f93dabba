namespace Cascade.Index;

/// <summary>
/// Items with J vectors each (HIT's ad heads) under max-then-sum scoring against a user with H vectors:
/// score(u, a) = Σₕ maxⱼ ⟨uₕ, aⱼ⟩ (HIT Eq. 7). Every head is indexed as its own HNSW node (key = item·J + j); a search
/// takes the top <c>candidatesPerHead</c> heads for each user vector, unions their items and re-scores the union
/// exactly with all J heads. Recall against <see cref="SearchExact"/> is measured by the tests and documented in
/// docs/design/hnsw.md. An update writes the J heads one by one, so a concurrent search may briefly score a mix of
/// old and new heads of that one item.
/// </summary>
public sealed partial class MultiVectorIndex
{
    private readonly HnswIndex _heads;
    private readonly object _writeLock = new(); // orders Upsert, Delete and Save: a file never holds half an item
    private readonly HashSet<long> _items = new();
    private readonly object _itemsLock = new();

    private MultiVectorIndex(int headsPerItem, HnswIndex heads)
    {
        HeadsPerItem = headsPerItem;
        _heads = heads;
    }

    /// <summary>Creates an index of items with <paramref name="headsPerItem"/> vectors of <paramref name="dimensions"/> components, ranked by inner product.</summary>
    public MultiVectorIndex(int dimensions, int headsPerItem, HnswOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headsPerItem, 1);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Metric != Metric.InnerProduct) throw new ArgumentException("MultiVectorIndex: max-then-sum scoring is defined on inner products; use Metric.InnerProduct.", nameof(options));
        HeadsPerItem = headsPerItem;
        _heads = new HnswIndex(dimensions, options);
    }

    /// <summary>J, the vectors per item.</summary>
    public int HeadsPerItem { get; }

    /// <summary>D.</summary>
    public int Dimensions => _heads.Dimensions;

    /// <summary>Number of items.</summary>
    public int Count { get { lock (_itemsLock) return _items.Count; } }

    /// <summary>Inserts or replaces item <paramref name="id"/> (0 ≤ id &lt; 2^62 / J) with <paramref name="heads"/> (J, D).</summary>
    public void Upsert(long id, ReadOnlySpan<float> heads)
    {
        if (id < 0 || id > (long.MaxValue >> 1) / HeadsPerItem) throw new ArgumentOutOfRangeException(nameof(id), id, $"MultiVectorIndex: ids must be in [0, {(long.MaxValue >> 1) / HeadsPerItem}].");
        if (heads.Length != HeadsPerItem * Dimensions) throw new ArgumentException($"MultiVectorIndex.Upsert for id {id}: expected J×D = {HeadsPerItem}×{Dimensions} floats, got {heads.Length}.", nameof(heads));
        for (int j = 0; j < HeadsPerItem; j++) VectorGuard.Check(heads.Slice(j * Dimensions, Dimensions), Dimensions, $"MultiVectorIndex.Upsert head {j}", id);
        lock (_writeLock)
        {
            for (int j = 0; j < HeadsPerItem; j++) _heads.Upsert(id * HeadsPerItem + j, heads.Slice(j * Dimensions, Dimensions));
            lock (_itemsLock) _items.Add(id);
        }
    }

    /// <summary>Deletes item <paramref name="id"/> and all its heads.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the index.</exception>
    public void Delete(long id)
    {
        lock (_writeLock)
        {
            lock (_itemsLock)
            {
                if (!_items.Remove(id)) throw new KeyNotFoundException($"MultiVectorIndex.Delete: id {id} is not in the index.");
            }
            for (int j = 0; j < HeadsPerItem; j++) _heads.Delete(id * HeadsPerItem + j);
        }
    }

    /// <summary>
    /// Top-k items for a user with <paramref name="userHeads"/> (H, D): each user head retrieves
    /// <paramref name="candidatesPerHead"/> heads with beam <paramref name="ef"/>, the union of their items is re-scored
    /// exactly. Results carry Distance = −score.
    /// </summary>
    public SearchResult[] Search(ReadOnlySpan<float> userHeads, int k, int candidatesPerHead, int ef)
    {
        int h = CheckUser(userHeads);
        var union = new HashSet<long>();
        var hits = new SearchResult[candidatesPerHead];
        for (int i = 0; i < h; i++)
        {
            int n = _heads.Search(userHeads.Slice(i * Dimensions, Dimensions), candidatesPerHead, ef, hits);
            for (int r = 0; r < n; r++) union.Add(hits[r].Id / HeadsPerItem);
        }
        return Rank(userHeads, union, k);
    }

    /// <summary>Exact max-then-sum top-k over every item (the oracle).</summary>
    public SearchResult[] SearchExact(ReadOnlySpan<float> userHeads, int k)
    {
        CheckUser(userHeads);
        long[] all;
        lock (_itemsLock) all = [.. _items];
        return Rank(userHeads, all, k);
    }

    private SearchResult[] Rank(ReadOnlySpan<float> userHeads, IEnumerable<long> items, int k)
    {
        int h = userHeads.Length / Dimensions;
        var item = new float[HeadsPerItem * Dimensions];
        var scored = new List<SearchResult>();
        foreach (long id in items)
        {
            try
            {
                for (int j = 0; j < HeadsPerItem; j++) _heads.GetVector(id * HeadsPerItem + j, item.AsSpan(j * Dimensions, Dimensions));
            }
            catch (KeyNotFoundException)
            {
                continue; // deleted concurrently
            }
            scored.Add(new SearchResult(id, -MaxThenSum(userHeads, item, h)));
        }
        scored.Sort(static (a, b) => a.Distance.CompareTo(b.Distance));
        return scored.Count > k ? scored.GetRange(0, k).ToArray() : scored.ToArray();
    }

    private float MaxThenSum(ReadOnlySpan<float> user, ReadOnlySpan<float> item, int h)
    {
        // HIT Eq. (7): sum over user heads of max over ad heads.
        float total = 0f;
        for (int i = 0; i < h; i++)
        {
            float best = float.NegativeInfinity;
            var u = user.Slice(i * Dimensions, Dimensions);
            for (int j = 0; j < HeadsPerItem; j++) best = Math.Max(best, Distances.Dot(u, item.Slice(j * Dimensions, Dimensions)));
            total += best;
        }
        return total;
    }

    private int CheckUser(ReadOnlySpan<float> userHeads)
    {
        if (userHeads.Length == 0 || userHeads.Length % Dimensions != 0)
            throw new ArgumentException($"MultiVectorIndex: user heads must be (H, D) with D = {Dimensions}, got {userHeads.Length} floats.", nameof(userHeads));
        VectorGuard.Check(userHeads, userHeads.Length, "MultiVectorIndex user heads");
        return userHeads.Length / Dimensions;
    }
}
