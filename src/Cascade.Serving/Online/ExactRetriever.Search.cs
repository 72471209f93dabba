using System.Numerics;
using System.Numerics.Tensors;
using Cascade.Index;

namespace Cascade.Serving.Online;

public sealed partial class ExactRetriever
{
    /// <summary>
    /// Per-request buffers of <see cref="Search"/>: reuse one per thread, so steady-state searches allocate nothing
    /// (they grow to the largest K and band seen, then stay). Also reports what the last search did.
    /// </summary>
    public sealed class Scratch
    {
        internal int[] Pairs = [];
        internal int[] Slots = [];
        internal float[] Approx = [], Half = [], Work = [], Exact = [];
        internal long[] Ids = [];
        internal int[] Order = [];
        internal readonly float[] BlockApprox = new float[ExactScan.BlockWidth], BlockHalf = new float[ExactScan.BlockWidth];
        internal readonly TopKHeap SampleHeap = new();

        /// <summary>Ads that passed the bound during the last scan (appended to the candidate buffer).</summary>
        public int LastCandidates { get; internal set; }
        /// <summary>Ads re-scored exactly by the last search (K plus the band of near-ties).</summary>
        public int LastRescored { get; internal set; }
        /// <summary>Times the last search pruned its candidate buffer (selection of the K-th lower bound).</summary>
        public int LastPrunes { get; internal set; }
        /// <summary>Searches (since this scratch was created) whose sampled floor proved too high, so the scan ran twice.</summary>
        public long LastFallbacks { get; internal set; }

        // Grows every buffer to at least `capacity`, keeping the candidates already buffered.
        internal void Ensure(int capacity)
        {
            if (Slots.Length >= capacity) return;
            int n = Math.Max(capacity, Slots.Length * 2);
            Array.Resize(ref Slots, n); Array.Resize(ref Approx, n); Array.Resize(ref Half, n);
            Work = new float[n]; Exact = new float[n]; Ids = new long[n]; Order = new int[n];
        }
    }

    /// <summary>
    /// The <paramref name="k"/> ads with the largest inner product with <paramref name="query"/>, best first, written to
    /// <paramref name="results"/> with distance = 1 − score (the HNSW inner-product convention); with
    /// <paramref name="eligibleOnly"/> only eligible ads qualify. Returns how many were written (fewer than k when fewer
    /// ads qualify). Scores are the float inner products TensorPrimitives.Dot computes; the set is the exact top K up
    /// to ties. Safe to call from any number of threads while the writer updates (one <paramref name="scratch"/> each).
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results, bool eligibleOnly, Scratch scratch)
    {
        if (query.Length != Dimensions) throw new ArgumentException($"ExactRetriever.Search: query has {query.Length} floats, expected {Dimensions}.", nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (results.Length < k) throw new ArgumentException($"ExactRetriever.Search: results holds {results.Length}, k = {k}.", nameof(results));
        if (!float.IsFinite(TensorPrimitives.SumOfSquares(query))) throw new ArgumentException("ExactRetriever.Search: the query has a NaN or infinite component.", nameof(query));
        var st = Volatile.Read(ref _store);
        int blocks = (Volatile.Read(ref st.Used) + ExactScan.BlockWidth - 1) / ExactScan.BlockWidth;
        int pairs = ExactScan.PaddedDimensions(Dimensions) / 2 * ExactScan.BlockWidth;
        if (scratch.Pairs.Length != pairs) scratch.Pairs = new int[pairs];
        var p = ExactScan.PrepareQuery(query, scratch.Pairs);
        byte accept = eligibleOnly ? (byte)1 : (byte)3; // (state & accept) != 0: eligible-only takes 1, otherwise 1 and 2
        int n = Scan(st, blocks, k, accept, p, scratch);
        int m = Rescore(st, query, n, k, accept, scratch, out float floor);
        return TakeBest(m, k, floor, results, scratch);
    }

    // Phase 1: every block against the running threshold; returns the survivors of the final prune. The scan starts
    // from a floor estimated on a sample; when the estimate proves too high (fewer than k candidates reach it), the
    // scan is repeated without it, so the result never depends on the estimate.
    private int Scan(Store st, int blocks, int k, byte accept, in ScanQuery p, Scratch s)
    {
        float estimate = SampleFloor(st, blocks, k, accept, p, s);
        int n = ScanFrom(st, blocks, k, accept, p, s, estimate, out float threshold);
        if (estimate == float.NegativeInfinity || (n > k && threshold >= estimate)) return n;
        s.LastFallbacks++;
        return ScanFrom(st, blocks, k, accept, p, s, float.NegativeInfinity, out _);
    }

    private int ScanFrom(Store st, int blocks, int k, byte accept, in ScanQuery p, Scratch s, float floor, out float threshold)
    {
        // A prune comes after `limit` candidates; the buffer doubles when a prune keeps more than half of it.
        int limit = Math.Max(4 * k, 1024);
        s.Ensure(limit + ExactScan.BlockWidth);
        int n = 0, appended = 0, prunes = 0;
        var approx = s.BlockApprox.AsSpan();
        var half = s.BlockHalf.AsSpan();
        var source = Source(st, s);
        var spin = new SpinWait();
        for (int b = 0; b < blocks; b++)
        {
            b = ExactScan.NextHit(source, b, blocks, p, floor, approx, half, out uint mask);
            if (mask == ExactScan.Torn) { spin.SpinOnce(); b--; continue; } // a writer is mid-block: read it again
            while (mask != 0)
            {
                int lane = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                int slot = b * ExactScan.BlockWidth + lane;
                if ((Volatile.Read(ref st.State[slot]) & accept) == 0) continue;
                s.Slots[n] = slot;
                s.Approx[n] = approx[lane];
                s.Half[n] = half[lane];
                n++;
                appended++;
            }
            if (n >= limit)
            {
                floor = Math.Max(floor, Prune(s, ref n, k));
                prunes++;
                if (n > limit / 2) { limit *= 2; s.Ensure(limit + ExactScan.BlockWidth); }
            }
        }
        threshold = Prune(s, ref n, k);
        s.LastCandidates = appended;
        s.LastPrunes = prunes + 1;
        return n;
    }

    // A floor that probably lies below the k-th largest lower bound: score up to 128 evenly spaced blocks (2,048 ads)
    // and take the r-th largest lower bound among them, where r is the expected number of top-k ads in the sample
    // (E = k · sampled / blocks) plus 50 % and three standard deviations. −∞ when the sample cannot say (k is a large
    // share of the corpus).
    private static float SampleFloor(Store st, int blocks, int k, byte accept, in ScanQuery p, Scratch s)
    {
        const int MaxSampleBlocks = 128;
        if (blocks < 4 * MaxSampleBlocks) return float.NegativeInfinity; // small corpora: the scan is cheap anyway
        int stride = blocks / MaxSampleBlocks, w = ExactScan.BlockWidth;
        double expected = (double)k * MaxSampleBlocks / blocks;
        int r = (int)Math.Ceiling(1.5 * expected + 3 * Math.Sqrt(expected)) + 1;
        if (r > MaxSampleBlocks * w / 2) return float.NegativeInfinity; // k is a large share of the corpus
        var approx = s.BlockApprox.AsSpan();
        var half = s.BlockHalf.AsSpan();
        var heap = s.SampleHeap;
        heap.Reset(r); // r ≈ 45 of 2,048 at K = 1 %: a bounded heap beats a selection over all of them
        var source = Source(st, s);
        var spin = new SpinWait();
        for (int i = 0; i < MaxSampleBlocks; i++)
        {
            int b = i * stride;
            // With floor −∞ every lane passes, so the block is returned with its 16 scores (or as torn: read again).
            while (ExactScan.NextHit(source, b, b + 1, p, float.NegativeInfinity, approx, half, out uint mask) != b || mask == ExactScan.Torn) spin.SpinOnce();
            for (int lane = 0; lane < w; lane++)
            {
                if ((Volatile.Read(ref st.State[b * w + lane]) & accept) == 0) continue;
                float lower = approx[lane] - half[lane];
                if (lower > heap.Threshold) heap.Push(lower, 0);
            }
        }
        return heap.Threshold; // −∞ until r lower bounds were seen
    }

    private static ScanSource Source(Store st, Scratch s) => new(st.Codes, st.Versions, st.BlockMax, st.Scales, st.Errors, s.Pairs);

    // Keeps the candidates whose upper bound reaches the k-th largest lower bound (returned); with ≤ k candidates
    // there is no such bound yet and all stay.
    private static float Prune(Scratch s, ref int n, int k)
    {
        if (n <= k) return float.NegativeInfinity;
        var work = s.Work.AsSpan(0, n);
        var approx = s.Approx.AsSpan(0, n);
        var half = s.Half.AsSpan(0, n);
        TensorPrimitives.Subtract(approx, half, work);
        float threshold = Selection.KthLargest(work, k);
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            // The same float expression as the kernel's test (approx + h ≥ floor), so both agree on every ad.
            if (approx[i] + half[i] < threshold) continue;
            s.Slots[m] = s.Slots[i];
            s.Approx[m] = approx[i];
            s.Half[m] = half[i];
            m++;
        }
        n = m;
        return threshold;
    }

    // Phase 2: exact float scores of the survivors, in two passes. Pass 1 re-scores the k best by approx; the k-th best
    // exact score among them, E, is a lower bound of the final k-th score, so pass 2 re-scores only the rest whose upper
    // bound reaches E. The bound h is a worst case (typical |exact − approx| is several times smaller), so E sits close
    // to the k-th approx and pass 2 takes about half of the band: 1,000 + ~700 rows instead of 1,000 + ~1,600 on the
    // 100k bundle, and each re-scored row is a random 256-byte read (~0.1 µs). Ads deleted or paused since the scan
    // drop out here (then E may be −∞ and pass 2 takes every survivor).
    private int Rescore(Store st, ReadOnlySpan<float> query, int n, int k, byte accept, Scratch s, out float floor)
    {
        int m = 0;
        floor = float.NegativeInfinity;
        if (n <= k)
        {
            for (int i = 0; i < n; i++) RescoreOne(st, query, s.Slots[i], accept, s, ref m);
            s.LastRescored = n;
            return m;
        }
        var work = s.Work.AsSpan(0, n);
        s.Approx.AsSpan(0, n).CopyTo(work);
        float kthApprox = Selection.KthLargest(work, k);
        int rescored = 0;
        for (int i = 0; i < n; i++)
            if (s.Approx[i] >= kthApprox) { RescoreOne(st, query, s.Slots[i], accept, s, ref m); rescored++; }
        if (m >= k)
        {
            var exact = s.Work.AsSpan(0, m);
            s.Exact.AsSpan(0, m).CopyTo(exact);
            floor = Selection.KthLargest(exact, k);
        }
        for (int i = 0; i < n; i++)
            if (s.Approx[i] < kthApprox && s.Approx[i] + s.Half[i] >= floor) { RescoreOne(st, query, s.Slots[i], accept, s, ref m); rescored++; }
        s.LastRescored = rescored;
        return m;
    }

    // One slot's exact score, id and state read under its block's seqlock; appended when the ad still qualifies.
    private void RescoreOne(Store st, ReadOnlySpan<float> query, int slot, byte accept, Scratch s, ref int m)
    {
        int d = Dimensions, b = slot / ExactScan.BlockWidth;
        var spin = new SpinWait();
        while (true)
        {
            int version = Volatile.Read(ref st.Versions[b]);
            if ((version & 1) == 0)
            {
                byte state = st.State[slot];
                long id = st.Ids[slot];
                float score = TensorPrimitives.Dot(st.Rows.AsSpan(slot * d, d), query);
                Volatile.ReadBarrier();
                if (Volatile.Read(ref st.Versions[b]) == version)
                {
                    if ((state & accept) != 0) { s.Exact[m] = score; s.Ids[m] = id; m++; }
                    return;
                }
            }
            spin.SpinOnce();
        }
    }

    // The k best of the m exact scores, best first. At least k scores are ≥ floor (the k-th exact score of pass 1), so
    // only those compete: select the k-th among them (k plus a few, not all m), keep the strictly better ones and then
    // ties in scan order, and sort only those k.
    private static int TakeBest(int m, int k, float floor, Span<SearchResult> results, Scratch s)
    {
        int take = Math.Min(k, m);
        if (take == 0) return 0;
        var exact = s.Exact.AsSpan(0, m);
        var pool = s.Order.AsSpan(0, m);
        int c = 0;
        for (int i = 0; i < m; i++) if (exact[i] >= floor) pool[c++] = i;
        if (c < take) for (c = 0; c < m; c++) pool[c] = c; // cannot happen (pass 1 kept ≥ k scores ≥ floor); stay safe
        var order = s.Slots.AsSpan(0, take); // free once the re-score has run
        if (c > take)
        {
            var work = s.Work.AsSpan(0, c);
            for (int j = 0; j < c; j++) work[j] = exact[pool[j]];
            float kth = Selection.KthLargest(work, take);
            int w = 0;
            for (int j = 0; j < c && w < take; j++) if (exact[pool[j]] > kth) order[w++] = pool[j];
            for (int j = 0; j < c && w < take; j++) if (exact[pool[j]] == kth) order[w++] = pool[j];
        }
        else
        {
            pool[..take].CopyTo(order);
        }
        var keys = s.Work.AsSpan(0, take);
        for (int i = 0; i < take; i++) keys[i] = -exact[order[i]]; // ascending sort of negated scores = best first
        keys.Sort(order);
        for (int i = 0; i < take; i++) results[i] = new SearchResult(s.Ids[order[i]], 1f + keys[i]);
        return take;
    }
}
