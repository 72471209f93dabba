using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Index;

public sealed unsafe partial class HnswIndex
{
    /// <summary>Decides which visited nodes may enter the result set (all nodes are still traversed).</summary>
    private interface IAccept
    {
        /// <summary>True when Accept reads the slot's id (a filter): the search then prefetches the id too.</summary>
        bool ReadsId { get; }

        bool Accept(HnswIndex index, ref HnswStorage st, int slot, bool deleted);
    }

    private struct AcceptLive : IAccept
    {
        public readonly bool ReadsId => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool Accept(HnswIndex index, ref HnswStorage st, int slot, bool deleted) => !deleted;
    }

    private struct AcceptLiveExcept : IAccept
    {
        public int Excluded;
        public readonly bool ReadsId => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool Accept(HnswIndex index, ref HnswStorage st, int slot, bool deleted) => !deleted && slot != Excluded;
    }

    private struct AcceptFiltered : IAccept
    {
        public Func<long, bool> Filter;
        public readonly bool ReadsId => true;
        public readonly bool Accept(HnswIndex index, ref HnswStorage st, int slot, bool deleted)
            => !deleted && Filter(index.IdUnchecked(ref st, slot));
    }

    /// <summary>
    /// The <paramref name="k"/> nearest live items to <paramref name="query"/>, best first, written to
    /// <paramref name="results"/>; returns how many were written (fewer than k only when fewer items qualify).
    /// <paramref name="ef"/> is the beam width (≥ k; ≤ 0 means <see cref="HnswOptions.DefaultEf"/>). Allocates nothing.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchResult> results)
    {
        var accept = new AcceptLive();
        return SearchEntry(query, k, ef, results, ref accept, null);
    }

    /// <summary>
    /// Filtered search: like <see cref="Search(ReadOnlySpan{float}, int, int, Span{SearchResult})"/> but only ids for
    /// which <paramref name="filter"/> returns true are returned (e.g. only ads with budget left). The graph is still
    /// traversed through rejected nodes, so a selective filter costs more distance computations, not recall.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchResult> results, Func<long, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var accept = new AcceptFiltered { Filter = filter };
        return SearchEntry(query, k, ef, results, ref accept, filter);
    }

    /// <summary>Convenience overload that allocates the result array.</summary>
    public SearchResult[] Search(ReadOnlySpan<float> query, int k, int ef = 0, Func<long, bool>? filter = null)
    {
        var results = new SearchResult[k];
        int n = filter is null ? Search(query, k, ef, results) : Search(query, k, ef, results, filter);
        return n == k ? results : results[..n];
    }

    /// <summary>
    /// Batch search over <paramref name="threads"/> workers: <paramref name="queries"/> is (Q, D) row-major and
    /// <paramref name="results"/> (Q, K) receives each query's hits best first, padded with id −1.
    /// </summary>
    public void SearchBatch(float[] queries, int k, int ef, SearchResult[] results, int threads)
    {
        if (queries.Length % _dim != 0) throw new ArgumentException($"SearchBatch: {queries.Length} floats is not a whole number of {_dim}-vectors.", nameof(queries));
        int q = queries.Length / _dim;
        if (results.Length < (long)q * k) throw new ArgumentException($"SearchBatch: results holds {results.Length}, need Q×K = {q}×{k}.", nameof(results));
        Parallel.For(0, q, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            var row = results.AsSpan(i * k, k);
            int n = Search(queries.AsSpan(i * _dim, _dim), k, ef, row);
            row[n..].Fill(new SearchResult(-1, float.PositiveInfinity));
        });
    }

    private int SearchEntry<TAccept>(ReadOnlySpan<float> query, int k, int ef, Span<SearchResult> results, ref TAccept accept, Func<long, bool>? filter)
        where TAccept : struct, IAccept
    {
        VectorGuard.Check(query, _dim, "HnswIndex.Search query");
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (results.Length < k) throw new ArgumentException($"Search: results holds {results.Length}, k = {k}.", nameof(results));
        if (ef <= 0) ef = _options.DefaultEf;
        ef = Math.Max(ef, k);
        var ctx = _pool.Rent();
        try
        {
            query.CopyTo(ctx.Query);
            if (_metric == Metric.Cosine) Distances.NormalizeInPlace(ctx.Query);
            fixed (float* q = ctx.Query)
            {
                var st = Volatile.Read(ref _storage);
                long entry = Volatile.Read(ref _entry);
                if (entry < 0) return 0;
                int cur = (int)entry;
                if (_words > 0)
                {
                    // The upper levels are descended in fp32 (a few dozen distances on nodes that stay cached), so level 0
                    // starts where the fp32 walk would; level 0 walks on the bfloat16 rows with the query split into
                    // even/odd halves, and the final candidates are re-scored in fp32.
                    float topDist = DistChecked<Float32Walk>(ref st, cur, q, out bool topDeleted);
                    GreedyDescend<Float32Walk>(ref st, ctx, q, ref cur, ref topDist, ref topDeleted, (int)(entry >> 32), 0);
                    BFloat16Distances.SplitQuery(ctx.Query, ctx.QuerySplit);
                    fixed (float* qs = ctx.QuerySplit)
                    {
                        float walkDist = DistChecked<BFloat16Walk>(ref st, cur, qs, out bool walkDeleted);
                        SearchLayer<TAccept, BFloat16Walk>(ctx, ref st, qs, cur, walkDist, walkDeleted, 0, ef, ref accept, NearMissMargin(q, walkDist));
                    }
                    return DrainReranked(ctx, ref st, q, k, results, filter);
                }
                float curDist = DistChecked<Float32Walk>(ref st, cur, q, out bool curDeleted);
                GreedyDescend<Float32Walk>(ref st, ctx, q, ref cur, ref curDist, ref curDeleted, (int)(entry >> 32), 0);
                SearchLayer<TAccept, Float32Walk>(ctx, ref st, q, cur, curDist, curDeleted, 0, ef, ref accept);
                return DrainResults(ctx, ref st, q, k, results, filter);
            }
        }
        finally
        {
            _pool.Return(ctx);
        }
    }

    /// <summary>Greedy walk (beam 1) from level <paramref name="fromLevel"/> down to <paramref name="toLevel"/> + 1.</summary>
    private void GreedyDescend<TWalk>(ref HnswStorage st, SearchContext ctx, float* q, ref int cur, ref float curDist, ref bool curDeleted, int fromLevel, int toLevel)
        where TWalk : struct, IWalk
    {
        var links = ctx.Links;
        for (int level = fromLevel; level > toLevel; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                int n = ReadLinks(ref st, cur, level, links);
                for (int j = 0; j < n; j++)
                {
                    float d = DistChecked<TWalk>(ref st, links[j], q, out bool del);
                    if (d < curDist)
                    {
                        curDist = d;
                        cur = links[j];
                        curDeleted = del;
                        changed = true;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Beam search on one level (Algorithm 2 of the paper): leaves the ≤ ef best accepted nodes in ctx.Results
    /// (a max-heap on distance). Stops when the nearest unexpanded candidate is farther than the worst of ef results.
    /// Each expansion runs in three passes so its cache misses overlap instead of queueing behind each distance:
    /// (1) keep the unvisited neighbours and prefetch their vectors and version words, (2) compute their distances,
    /// (3) update the beam — the same heap operations in the same order as one fused loop, so results are identical.
    /// </summary>
    /// <remarks>
    /// With <paramref name="nearMargin"/> &gt; 0 (the bfloat16 walk), a node rejected by less than that margin is kept in
    /// a small ring (ctx.NearSlots) so the fp32 re-score can still rescue it when ef is close to k.
    /// </remarks>
    private void SearchLayer<TAccept, TWalk>(SearchContext ctx, ref HnswStorage st, float* q, int entry, float entryDist, bool entryDeleted, int level, int ef, ref TAccept accept, float nearMargin = 0f)
        where TAccept : struct, IAccept
        where TWalk : struct, IWalk
    {
        ctx.NearCount = 0;
        var cand = ctx.Candidates;
        var res = ctx.Results;
        cand.Clear();
        res.Clear();
        ctx.NewEpoch(st.Capacity);
        ctx.TryVisit(entry);
        cand.Push(-entryDist, entry);
        float bound = float.MaxValue;
        if (accept.Accept(this, ref st, entry, entryDeleted))
        {
            res.Push(entryDist, entry);
            bound = entryDist;
        }
        var links = ctx.Links;
        var fresh = ctx.Fresh;
        var freshDist = ctx.FreshDist;
        var freshDeleted = ctx.FreshDeleted;
        while (cand.Count > 0)
        {
            float d = -cand.TopKey;
            if (d > bound && res.Count >= ef) break;
            int c = cand.TopValue;
            cand.Pop();
            int n = ReadLinks(ref st, c, level, links);
            int m = 0;
            for (int j = 0; j < n; j++)
            {
                int s = links[j];
                if (!ctx.TryVisit(s)) continue;
                EnsureStorage(ref st, s);
                fresh[m++] = s;
                default(TWalk).Prefetch(this, st, s);
                if (accept.ReadsId && Sse.IsSupported) // the filter's id is one more random line per candidate
                    Sse.Prefetch0(Unsafe.AsPointer(ref st.Ids[s >> HnswStorage.ChunkShift][s & HnswStorage.ChunkMask]));
            }
            // The node expanded next is often the current best candidate: start loading its links now — every line of
            // them: header + 2M links is 132 bytes at M = 16, always 3 lines of a 136-byte block (only the first was
            // prefetched before).
            if (Sse.IsSupported && level == 0 && cand.Count > 0)
            {
                int next = cand.TopValue;
                if ((uint)next < (uint)st.Capacity)
                {
                    Sse.Prefetch0(Ver(st, next));
                    byte* b = (byte*)(Block(st, next) + 1);
                    byte* end = (byte*)(Block(st, next) + _stride0);
                    for (byte* p = b; p < end; p += 64) Sse.Prefetch0(p);
                    Sse.Prefetch0(end - 1);
                }
            }
            for (int j = 0; j < m; j++) freshDist[j] = DistChecked<TWalk>(ref st, fresh[j], q, out freshDeleted[j]);
            for (int j = 0; j < m; j++)
            {
                float dn = freshDist[j];
                if (res.Count < ef || dn < bound)
                {
                    int s = fresh[j];
                    cand.Push(-dn, s);
                    if (accept.Accept(this, ref st, s, freshDeleted[j]))
                    {
                        if (res.Count < ef) res.Push(dn, s);
                        else res.ReplaceTop(dn, s);
                        bound = res.TopKey;
                    }
                }
                else if (dn < bound + nearMargin) ctx.RecordNearMiss(fresh[j], dn);
            }
        }
    }

    /// <summary>
    /// Keeps the k best of ctx.Results and re-reads each one's id, deleted flag and distance under its version lock,
    /// so a node deleted (or a slot reused) during the search is never returned with a stale id or distance. The ef
    /// entries are sorted once (primitive-key introsort) rather than popped one by one: at ef = k = 1,000 that is one
    /// sort instead of 1,000 sift-downs of ~10 levels.
    /// </summary>
    private int DrainResults(SearchContext ctx, ref HnswStorage st, float* q, int k, Span<SearchResult> results, Func<long, bool>? filter)
    {
        var items = ctx.Results.Items;
        int total = items.Length;
        ctx.EnsureOutput(total);
        var keys = ctx.OutKeys.AsSpan(0, total);
        var slots = ctx.OutSlots.AsSpan(0, total);
        for (int i = 0; i < total; i++)
        {
            keys[i] = items[i].Key;
            slots[i] = items[i].Value;
        }
        ctx.Results.Clear();
        keys.Sort(slots);
        int n = Math.Min(k, total);
        if (Sse.IsSupported)
        {
            for (int i = 0; i < n; i++)
            {
                int slot = slots[i];
                Prefetch(st, slot);
                Sse.Prefetch0(Unsafe.AsPointer(ref st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask]));
            }
        }
        int written = 0;
        for (int i = 0; i < n; i++)
            if (ReadExact(ref st, slots[i], q, filter, out var hit)) results[written++] = hit;
        // A re-read distance can change order only if the vector was updated mid-search; keep the output sorted
        // (one comparison per hit when nothing moved).
        for (int i = 1; i < written; i++)
        {
            var x = results[i];
            int j = i - 1;
            while (j >= 0 && results[j].Distance > x.Distance) { results[j + 1] = results[j]; j--; }
            results[j + 1] = x;
        }
        return written;
    }
}
