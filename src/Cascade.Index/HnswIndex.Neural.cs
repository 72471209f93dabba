namespace Cascade.Index;

/// <summary>
/// A model-based similarity f(user, ad) evaluated in batches, e.g. BAR's user-side graph over cached ad embeddings.
/// The user is bound inside the implementation; the index only passes ad vectors.
/// </summary>
public interface IBatchScorer
{
    /// <summary>Writes one score per row of <paramref name="items"/> (n, D) into <paramref name="scores"/> (n); higher is better.</summary>
    void Score(ReadOnlySpan<float> items, Span<float> scores);
}

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Neural-similarity search (NANN, Chen et al. 2022, as used by BAR §3.5): walks the same graph but ranks nodes by
    /// <paramref name="scorer"/> instead of the metric. Each expanded node's unvisited neighbours (≤ 2M) are scored in
    /// one batch, so a search costs about ef × 2M scorer rows rather than N. Results carry Distance = −score.
    /// The graph was built for the metric, so recall depends on how well f agrees with it near the top.
    /// </summary>
    public int SearchNeural(IBatchScorer scorer, int k, int ef, Span<SearchResult> results, Func<long, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (results.Length < k) throw new ArgumentException($"SearchNeural: results holds {results.Length}, k = {k}.", nameof(results));
        if (ef <= 0) ef = _options.DefaultEf;
        ef = Math.Max(ef, k);
        var ctx = _pool.Rent();
        try
        {
            var st = Volatile.Read(ref _storage);
            long entry = Volatile.Read(ref _entry);
            if (entry < 0) return 0;
            ctx.NewEpoch(st.Capacity);
            int cur = (int)entry;
            ctx.GatherSlots[0] = cur;
            int g = GatherVectors(ctx, ref st, 1);
            if (g == 0) return 0;
            Score(scorer, ctx.Gather.AsSpan(0, _dim), ctx.Scores.AsSpan(0, 1));
            float curDist = -ctx.Scores[0];
            for (int level = (int)(entry >> 32); level > 0; level--)
            {
                bool changed = true;
                while (changed)
                {
                    changed = false;
                    int n = ReadLinks(ref st, cur, level, ctx.Links);
                    ctx.Links.AsSpan(0, n).CopyTo(ctx.GatherSlots);
                    n = GatherVectors(ctx, ref st, n);
                    Score(scorer, ctx.Gather.AsSpan(0, n * _dim), ctx.Scores.AsSpan(0, n));
                    for (int j = 0; j < n; j++)
                    {
                        if (-ctx.Scores[j] < curDist) { curDist = -ctx.Scores[j]; cur = ctx.GatherSlots[j]; changed = true; }
                    }
                }
            }
            NeuralLayer0(ctx, ref st, scorer, cur, curDist, ef, filter);
            return DrainNeural(ctx, ref st, scorer, k, results, filter);
        }
        finally
        {
            _pool.Return(ctx);
        }
    }

    private void NeuralLayer0(SearchContext ctx, ref HnswStorage st, IBatchScorer scorer, int entry, float entryDist, int ef, Func<long, bool>? filter)
    {
        var cand = ctx.Candidates;
        var res = ctx.Results;
        cand.Clear();
        res.Clear();
        ctx.NewEpoch(st.Capacity);
        ctx.TryVisit(entry);
        cand.Push(-entryDist, entry);
        float bound = float.MaxValue;
        if (AcceptNeural(ref st, entry, filter)) { res.Push(entryDist, entry); bound = entryDist; }
        while (cand.Count > 0)
        {
            float d = -cand.TopKey;
            if (d > bound && res.Count >= ef) break;
            int c = cand.TopValue;
            cand.Pop();
            int n = ReadLinks(ref st, c, 0, ctx.Links);
            int fresh = 0;
            for (int j = 0; j < n; j++)
                if (ctx.TryVisit(ctx.Links[j])) ctx.GatherSlots[fresh++] = ctx.Links[j];
            if (fresh == 0) continue;
            fresh = GatherVectors(ctx, ref st, fresh);
            Score(scorer, ctx.Gather.AsSpan(0, fresh * _dim), ctx.Scores.AsSpan(0, fresh));
            for (int j = 0; j < fresh; j++)
            {
                float dn = -ctx.Scores[j];
                int s = ctx.GatherSlots[j];
                if (res.Count < ef || dn < bound)
                {
                    cand.Push(-dn, s);
                    if (AcceptNeural(ref st, s, filter))
                    {
                        res.Push(dn, s);
                        if (res.Count > ef) res.Pop();
                        bound = res.TopKey;
                    }
                }
            }
        }
    }

    /// <summary>Calls the scorer and rejects NaN scores, which would silently corrupt the heap order.</summary>
    private static void Score(IBatchScorer scorer, ReadOnlySpan<float> items, Span<float> scores)
    {
        scorer.Score(items, scores);
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
                throw new InvalidOperationException($"SearchNeural: the scorer {scorer.GetType().Name} returned NaN for row {i} of a batch of {scores.Length}.");
        }
    }

    private bool AcceptNeural(ref HnswStorage st, int slot, Func<long, bool>? filter)
    {
        if (DeletedUnchecked(ref st, slot)) return false;
        return filter is null || filter(IdUnchecked(ref st, slot));
    }

    /// <summary>Copies the vectors of ctx.GatherSlots[0..n) into ctx.Gather (n, D), each under its version lock; drops nothing.</summary>
    private int GatherVectors(SearchContext ctx, ref HnswStorage st, int n)
    {
        for (int j = 0; j < n; j++)
            ReadVectorChecked(ref st, ctx.GatherSlots[j], ctx.Gather.AsSpan(j * _dim, _dim), out _, out _);
        return n;
    }

    /// <summary>Re-reads the best k consistently (vector, id, deleted flag) and re-scores them in one batch.</summary>
    private int DrainNeural(SearchContext ctx, ref HnswStorage st, IBatchScorer scorer, int k, Span<SearchResult> results, Func<long, bool>? filter)
    {
        var res = ctx.Results;
        while (res.Count > k) res.Pop();
        int n = res.Count;
        if (ctx.Gather.Length < n * _dim) ctx.Gather = new float[n * _dim];
        Span<long> ids = n <= 512 ? stackalloc long[n] : new long[n];
        Span<bool> keep = n <= 512 ? stackalloc bool[n] : new bool[n];
        for (int i = n - 1; i >= 0; i--)
        {
            int slot = res.TopValue;
            res.Pop();
            ReadVectorChecked(ref st, slot, ctx.Gather.AsSpan(i * _dim, _dim), out ids[i], out bool deleted);
            keep[i] = !deleted && (filter is null || filter(ids[i]));
        }
        Span<float> scores = n <= ctx.Scores.Length ? ctx.Scores.AsSpan(0, n) : new float[n];
        Score(scorer, ctx.Gather.AsSpan(0, n * _dim), scores);
        int written = 0;
        for (int i = 0; i < n; i++) if (keep[i]) results[written++] = new SearchResult(ids[i], -scores[i]);
        results[..written].Sort(static (a, b) => a.Distance.CompareTo(b.Distance));
        return written;
    }
}
