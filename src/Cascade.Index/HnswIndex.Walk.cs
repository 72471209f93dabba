using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Index;

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// How a search computes traversal distances: on the fp32 vectors, or on the bfloat16 rows with a split query.
    /// A struct type argument, so the JIT compiles one specialised walk per precision with no branch per distance.
    /// </summary>
    private interface IWalk
    {
        /// <summary>Distance from the query (fp32, or split into even/odd halves for bfloat16) to the slot's vector; unvalidated.</summary>
        float Distance(HnswIndex index, HnswStorage st, int slot, float* q);

        /// <summary>Asks for the lines Distance will read and the slot's version word.</summary>
        void Prefetch(HnswIndex index, HnswStorage st, int slot);
    }

    /// <summary>fp32 walk: builds, updates and searches of Float32 indexes.</summary>
    private readonly struct Float32Walk : IWalk
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Distance(HnswIndex index, HnswStorage st, int slot, float* q)
        {
            float* v = index.Vec(st, slot);
            return index._metric == Metric.L2 ? Distances.L2Squared(q, v, index._dim) : 1f - Distances.Dot(q, v, index._dim);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Prefetch(HnswIndex index, HnswStorage st, int slot) => index.Prefetch(st, slot);
    }

    /// <summary>bfloat16 walk: half the bytes per visited node (D = 32: one 64-byte line instead of two).</summary>
    private readonly struct BFloat16Walk : IWalk
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Distance(HnswIndex index, HnswStorage st, int slot, float* q)
        {
            int w = index._words;
            uint* row = index.Row(st, slot);
            return index._metric == Metric.L2 ? BFloat16Distances.L2Squared(q, q + w, row, w) : 1f - BFloat16Distances.Dot(q, q + w, row, w);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Prefetch(HnswIndex index, HnswStorage st, int slot)
        {
            if (!Sse.IsSupported) return;
            byte* r = (byte*)index.Row(st, slot);
            byte* end = r + index._words * sizeof(uint);
            for (byte* p = r; p < end; p += 64) Sse.Prefetch0(p);
            if ((index._words & 15) != 0) Sse.Prefetch0(end - 1); // rows not a multiple of 64 bytes may straddle one more line
            Sse.Prefetch0(Ver(st, slot));
        }
    }

    /// <summary>
    /// Ends a bfloat16 walk: re-scores candidates in fp32 (each under its version, with id and deleted flag) and
    /// returns the best k by exact distance. Only candidates that can still be in the exact top k are re-scored:
    /// with E = 2⁻⁸·max‖v‖ ≥ ‖v − v̂‖, the walk's distance d̂ is within ε of the exact d, where
    /// ε = ‖q‖·E for inner product and cosine (|q·(v − v̂)| ≤ ‖q‖‖v − v̂‖) and ε = 2(√d̂ + E)E + E² for L2
    /// (‖q − v‖ ≤ √d̂ + E), plus fp32 rounding. The k smallest d̂ have exact distances ≤ U = d̂ₖ + ε(d̂ₖ), so a candidate
    /// with d̂ − ε(d̂) > U cannot beat them. On the clustered 1M × 32 set (ε ≈ 0.004) that re-scores about 15 of ef = 40.
    /// When even the ef-th result is within the margin (ef close to k), a node the walk scored but dropped from the
    /// results could belong to the top k; the unexpanded candidates within the margin are then re-scored too. Without
    /// this, recall@10 at ef = 10 was 0.006 below the fp32 walk's at 100k (no room to recover a swapped neighbour).
    /// So are the nodes the walk rejected by less than the margin (the last 64, see SearchLayer), which never entered
    /// the candidates at all.
    /// </summary>
    private int DrainReranked(SearchContext ctx, ref HnswStorage st, float* q, int k, Span<SearchResult> results, Func<long, bool>? filter)
    {
        var items = ctx.Results.Items;
        int total = items.Length;
        int spare = ctx.Candidates.Count + SearchContext.NearCapacity;
        ctx.EnsureOutput(total + spare);
        var keys = ctx.OutKeys.AsSpan(0, total);
        var slots = ctx.OutSlots.AsSpan(0, total + spare);
        for (int i = 0; i < total; i++)
        {
            keys[i] = items[i].Key;
            slots[i] = items[i].Value;
        }
        ctx.Results.Clear();
        keys.Sort(slots[..total]);
        int want = Math.Min(k, total);
        if (want == 0) return 0;

        float e = BFloat16Distances.UnitRoundoff * Volatile.Read(ref _maxNorm); // read after the walk: covers every row it saw
        float qNorm = MathF.Sqrt(Distances.Dot(q, q, _dim));
        // fp32 accumulation in both kernels: ≤ ~D·2⁻²⁴ of Σ|terms| ≤ (‖q‖ + max‖v‖)² each, doubled for safety.
        float maxNorm = e / BFloat16Distances.UnitRoundoff;
        float slack = 2f * _dim * (1f / (1 << 24)) * (qNorm + maxNorm) * (qNorm + maxNorm) + 1e-6f;
        bool l2 = _metric == Metric.L2;
        float upper = keys[want - 1] + Epsilon(keys[want - 1], l2, qNorm, e, slack);
        int limit = want;
        while (limit < total && keys[limit] - Epsilon(keys[limit], l2, qNorm, e, slack) <= upper) limit++;
        if (limit == total) limit = total + RescueCandidates(ctx, slots, total, upper, l2, qNorm, e, slack);

        if (Sse.IsSupported)
        {
            for (int i = 0; i < limit; i++)
            {
                int slot = slots[i];
                Prefetch(st, slot);
                Sse.Prefetch0(Unsafe.AsPointer(ref st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask]));
            }
        }
        var exactKeys = ctx.RerankKeys.AsSpan(0, slots.Length);
        var exact = ctx.RerankItems.AsSpan(0, slots.Length);
        int found = 0;
        for (int i = 0; i < limit; i++)
        {
            if (ReadExact(ref st, slots[i], q, filter, out var hit))
            {
                exactKeys[found] = hit.Distance;
                exact[found++] = hit;
            }
            // Candidates deleted since the walk (or rejected by the filter) left fewer than k: score the rest too.
            if (i == limit - 1 && found < want) limit = total;
        }
        exactKeys[..found].Sort(exact[..found]);
        int written = Math.Min(want, found);
        exact[..written].CopyTo(results);
        return written;
    }

    /// <summary>
    /// Appends to slots[total..] the unexpanded candidates (not among the results) and the narrowly rejected nodes
    /// within the margin; returns how many.
    /// </summary>
    private static int RescueCandidates(SearchContext ctx, Span<int> slots, int total, float upper, bool l2, float qNorm, float e, float slack)
    {
        int added = 0;
        foreach (var c in ctx.Candidates.Items)
        {
            float d = -c.Key; // the candidate heap is a max-heap on −distance
            if (d - Epsilon(d, l2, qNorm, e, slack) > upper || slots[..total].Contains(c.Value)) continue;
            slots[total + added++] = c.Value;
        }
        int near = Math.Min(ctx.NearCount, SearchContext.NearCapacity); // never in the results or candidates: rejected
        for (int i = 0; i < near; i++)
        {
            float d = ctx.NearKeys[i];
            if (d - Epsilon(d, l2, qNorm, e, slack) <= upper) slots[total + added++] = ctx.NearSlots[i];
        }
        return added;
    }

    /// <summary>
    /// How far past the result bound a rejected node is still worth remembering: twice the bfloat16 error bound
    /// (at the layer-0 entry's distance for L2, whose bound grows with the distance). Best effort: it only widens
    /// what the final re-score can rescue; exactness of the ranking does not depend on it.
    /// </summary>
    private float NearMissMargin(float* q, float entryDistance)
    {
        float e = BFloat16Distances.UnitRoundoff * Volatile.Read(ref _maxNorm);
        float qNorm = MathF.Sqrt(Distances.Dot(q, q, _dim));
        return 2f * Epsilon(entryDistance, _metric == Metric.L2, qNorm, e, 0f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Epsilon(float walkDistance, bool l2, float qNorm, float e, float slack)
        => l2 ? 2f * (MathF.Sqrt(Math.Max(walkDistance, 0f)) + e) * e + e * e + slack : qNorm * e + slack;

    /// <summary>The slot's exact fp32 distance and id under its version; false when it is deleted or the filter rejects it.</summary>
    private bool ReadExact(ref HnswStorage st, int slot, float* q, Func<long, bool>? filter, out SearchResult hit)
    {
        int* ver = Ver(st, slot);
        float* v = Vec(st, slot);
        while (true)
        {
            int v1 = Volatile.Read(ref *ver);
            if ((v1 & VersionLocked) == 0)
            {
                float d = _metric == Metric.L2 ? Distances.L2Squared(q, v, _dim) : 1f - Distances.Dot(q, v, _dim);
                long id = st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask];
                Volatile.ReadBarrier();
                if (Volatile.Read(ref *ver) == v1)
                {
                    hit = new SearchResult(id, d);
                    return (v1 & VersionDeleted) == 0 && (filter is null || filter(id));
                }
            }
            Thread.SpinWait(4);
        }
    }
}
