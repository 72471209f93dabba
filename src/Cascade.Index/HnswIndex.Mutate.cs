using System.Runtime.InteropServices;

namespace Cascade.Index;

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Deletes <paramref name="id"/>: it is excluded from every search that finishes after this call returns, the
    /// neighbours it linked to are relinked around it, and its slot is reused after the next sweep (automatic once
    /// deletions reach 2% of the live count, or explicit with <see cref="Compact"/>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The id is not in the index.</exception>
    public void Delete(long id)
    {
        if (!TryDelete(id)) throw new KeyNotFoundException($"HnswIndex.Delete: id {id} is not in the index.");
    }

    /// <summary>Deletes <paramref name="id"/> when present; returns false when it was not stored.</summary>
    public bool TryDelete(long id)
    {
        lock (_writeLock)
        {
            if (!_slotOf.TryRemove(id, out int slot)) return false;
            LockNode(slot);
            Block(_storage, slot)[1] |= DeletedFlag;
            UnlockNode(slot);
            _state[slot] = StateTombstone;
            Interlocked.Decrement(ref _live);
            DetachOut(slot);
            _pending.Add(slot);
            if (_pending.Count >= Math.Max(64, _live / 50)) Sweep();
            return true;
        }
    }

    /// <summary>
    /// Removes every pending deleted node from the graph now, makes its slot reusable, and re-attaches any live node
    /// that churn left unreachable from the entry point (a small island whose in-links all come from inside it).
    /// O(N·M); searches keep running.
    /// </summary>
    public void Compact()
    {
        lock (_writeLock)
        {
            Sweep();
            RepairReachability();
        }
    }

    private void UpdateInPlace(int slot, float* q)
    {
        RaiseNormBound(q);
        LockNode(slot);
        StoreVectorLocked(slot, q);
        UnlockNode(slot);
        var oldNeighbours = new List<int>(LinksW(slot, 0).ToArray());
        DetachOut(slot);
        if (_live > 1) Link(slot, _levels[slot], q);
        foreach (int y in oldNeighbours) ReconnectIfOrphan(y);
    }

    /// <summary>
    /// For every node the given node links to that links back, replace the back link by the nearest (to that node) of
    /// the given node's other links that it does not already have — the local detour the removed edge provided.
    /// O(M²) distances per level instead of a full heuristic rebuild per neighbour (O(M³)), which made an update cost
    /// ~3 ms at N = 100k; lists are pruned with the full heuristic again when they next overflow.
    /// </summary>
    private void DetachOut(int x)
    {
        Span<int> buffer = stackalloc int[_m0];
        for (int lev = _levels[x]; lev >= 0; lev--)
        {
            int[] outLinks = LinksW(x, lev).ToArray();
            foreach (int n in outLinks)
            {
                if (_state[n] != StateLive) continue;
                var links = LinksW(n, lev);
                int at = links.IndexOf(x);
                if (at < 0) continue;
                links.CopyTo(buffer);
                int count = links.Length;
                int best = -1;
                float bestDist = float.MaxValue;
                foreach (int c in outLinks)
                {
                    if (c == n || _state[c] != StateLive || _levels[c] < lev || buffer[..count].Contains(c)) continue;
                    float d = DistW(n, c);
                    if (d < bestDist) { bestDist = d; best = c; }
                }
                if (best >= 0) buffer[at] = best;
                else buffer[at] = buffer[--count];
                SetLinks(n, lev, buffer[..count]);
            }
        }
    }

    /// <summary>Rebuilds the links of <paramref name="node"/> at a level from its live links plus <paramref name="extra"/>, dropping tombstones.</summary>
    private void Repair(int node, int level, ReadOnlySpan<int> extra)
    {
        var pairs = _prunePairs;
        pairs.Clear();
        var seen = _repairSeen;
        seen.Clear();
        seen.Add(node);
        foreach (int c in LinksW(node, level)) Consider(c);
        foreach (int c in extra) Consider(c);
        pairs.Sort(static (a, b) => a.Dist.CompareTo(b.Dist));
        SelectHeuristic(pairs, MaxLinks(level), _pruneSelected);
        SetLinks(node, level, CollectionsMarshal.AsSpan(_pruneSelected));

        void Consider(int c)
        {
            if (_state[c] != StateLive || _levels[c] < level || !seen.Add(c)) return;
            pairs.Add((DistW(node, c), c));
        }
    }

    private readonly HashSet<int> _repairSeen = new();

    /// <summary>
    /// A live node nobody links to at level 0 cannot be found. Give it an in-link: append it to its nearest
    /// neighbour's list, or replace there the farthest link whose target keeps another in-link.
    /// </summary>
    private void ReconnectIfOrphan(int y)
    {
        if (_state[y] != StateLive || _inDegree0[y] > 0 || (int)_entry == y) return;
        var candidates = _prunePairs;
        candidates.Clear();
        foreach (int z in LinksW(y, 0))
            if (_state[z] == StateLive) candidates.Add((DistW(y, z), z));
        if (candidates.Count == 0) NearestFromEntry(y, candidates);
        TryAttach(y, candidates, reached: null);
    }

    /// <summary>Fills <paramref name="candidates"/> with the live nodes a level-0 search for <paramref name="y"/>'s vector finds (all reachable from the entry).</summary>
    private void NearestFromEntry(int y, List<(float Dist, int Slot)> candidates)
    {
        var ctx = _writerContext;
        var st = _storage;
        long entry = _entry;
        int cur = (int)entry;
        float* q = VecW(y);
        float curDist = DistChecked<Float32Walk>(ref st, cur, q, out bool curDeleted);
        GreedyDescend<Float32Walk>(ref st, ctx, q, ref cur, ref curDist, ref curDeleted, (int)(entry >> 32), 0);
        var accept = new AcceptLiveExcept { Excluded = y };
        SearchLayer<AcceptLiveExcept, Float32Walk>(ctx, ref st, q, cur, curDist, curDeleted, 0, _options.EfConstruction, ref accept);
        while (ctx.Results.Count > 0) { candidates.Add((ctx.Results.TopKey, ctx.Results.TopValue)); ctx.Results.Pop(); }
    }

    /// <summary>Adds an in-link to <paramref name="y"/> from the nearest candidate that can take one (only reached candidates when given).</summary>
    private bool TryAttach(int y, List<(float Dist, int Slot)> candidates, bool[]? reached)
    {
        candidates.Sort(static (a, b) => a.Dist.CompareTo(b.Dist));
        Span<int> buffer = stackalloc int[_m0];
        foreach (var (_, z) in candidates.ToArray())
        {
            if (reached is not null && !reached[z]) continue;
            var links = LinksW(z, 0);
            if (links.Contains(y)) continue;
            links.CopyTo(buffer);
            int n = links.Length;
            if (n < _m0)
            {
                buffer[n] = y;
                SetLinks(z, 0, buffer[..(n + 1)]);
                return true;
            }
            int worst = -1;
            float worstDist = -1f;
            for (int i = 0; i < n; i++)
            {
                float d = DistW(z, buffer[i]);
                if (_inDegree0[buffer[i]] > 1 && d > worstDist) { worst = i; worstDist = d; }
            }
            if (worst >= 0)
            {
                buffer[worst] = y;
                SetLinks(z, 0, buffer[..n]);
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Breadth-first search from the entry over level-0 links; each live node not reached gets an in-link from the
    /// nearest reached node (found by a search, which only visits reachable nodes), and its island is marked reached.
    /// Repeats (≤ 3 passes) because a replaced link can strand another node.
    /// </summary>
    private void RepairReachability()
    {
        if (_entry < 0) return;
        for (int pass = 0; pass < 3; pass++)
        {
            var reached = new bool[_slotCount];
            var queue = new Queue<int>();
            void Flood(int from)
            {
                reached[from] = true;
                queue.Enqueue(from);
                while (queue.Count > 0)
                    foreach (int t in LinksW(queue.Dequeue(), 0))
                        if (!reached[t]) { reached[t] = true; queue.Enqueue(t); }
            }
            Flood((int)_entry);
            bool stranded = false;
            for (int s = 0; s < _slotCount; s++)
            {
                if (_state[s] != StateLive || reached[s]) continue;
                stranded = true;
                var candidates = _prunePairs;
                candidates.Clear();
                NearestFromEntry(s, candidates);
                if (TryAttach(s, candidates, reached)) Flood(s);
            }
            if (!stranded) return;
        }
    }

    /// <summary>
    /// Sweep: strip links to pending deleted nodes from every node (repairing each affected list with the deleted
    /// node's own links as extra candidates), move the entry point off a deleted node, reconnect orphans, then free
    /// the slots. O(N·M) per sweep, amortised over ≥ 64 deletions.
    /// </summary>
    private void Sweep()
    {
        if (_pending.Count == 0) return;
        if (_entry >= 0 && _state[(int)_entry] != StateLive) ChooseNewEntry();
        var extra = new List<int>();
        for (int s = 0; s < _slotCount; s++)
        {
            if (_state[s] != StateLive) continue;
            for (int lev = _levels[s]; lev >= 0; lev--)
            {
                extra.Clear();
                bool touched = false;
                foreach (int t in LinksW(s, lev))
                {
                    if (_state[t] == StateLive) continue;
                    touched = true;
                    foreach (int u in LinksW(t, lev)) extra.Add(u);
                }
                if (touched) Repair(s, lev, CollectionsMarshal.AsSpan(extra));
            }
        }
        foreach (int p in _pending)
        {
            for (int lev = _levels[p]; lev >= 0; lev--) SetLinks(p, lev, default);
            LockNode(p);
            // Keep the deleted flag: a reader that still holds this slot number must not return it.
            Block(_storage, p)[1] = DeletedFlag;
            _storage.Upper[p >> HnswStorage.ChunkShift][p & HnswStorage.ChunkMask] = null;
            UnlockNode(p);
            _levels[p] = 0;
            _state[p] = StateFree;
        }
        for (int s = 0; s < _slotCount; s++) ReconnectIfOrphan(s);
        for (int i = _pending.Count - 1; i >= 0; i--) _free.Push(_pending[i]);
        _pending.Clear();
    }

    private void ChooseNewEntry()
    {
        int best = -1, bestLevel = -1;
        for (int s = 0; s < _slotCount; s++)
        {
            if (_state[s] == StateLive && _levels[s] > bestLevel) { best = s; bestLevel = _levels[s]; }
        }
        Volatile.Write(ref _entry, best < 0 ? -1 : ((long)bestLevel << 32) | (uint)best);
    }
}
