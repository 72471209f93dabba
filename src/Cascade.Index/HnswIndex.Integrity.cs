namespace Cascade.Index;

/// <summary>Outcome of <see cref="HnswIndex.CheckIntegrity"/>: counts and every structural problem found (empty when sound).</summary>
/// <param name="LiveNodes">Items not deleted.</param>
/// <param name="ReachableLiveNodes">Live items reachable from the entry point over level-0 links.</param>
/// <param name="Tombstones">Deleted items whose slots await the next sweep.</param>
/// <param name="Problems">Human-readable problems (self-links, duplicate links, dangling links, unreachable nodes, …).</param>
public sealed record IntegrityReport(int LiveNodes, int ReachableLiveNodes, int Tombstones, IReadOnlyList<string> Problems)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsSound => Problems.Count == 0;
}

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Walks the whole graph under the writer lock (searches keep running) and reports: self-links, duplicate links,
    /// links to free or out-of-range slots, links to nodes below the level, wrong counts, id-map mismatches, stale
    /// in-degrees, live nodes not reachable from the entry point on level 0, and (bfloat16 walk) any row that is not
    /// the rounding of its node's fp32 vector or a vector longer than the norm bound. O(N·M).
    /// </summary>
    public IntegrityReport CheckIntegrity()
    {
        lock (_writeLock)
        {
            var problems = new List<string>();
            void Report(string p) { if (problems.Count < 100) problems.Add(p); }
            int live = 0, tombstones = 0;
            var inDegree = new int[_slotCount];
            var seen = new HashSet<int>();
            for (int s = 0; s < _slotCount; s++)
            {
                byte state = _state[s];
                if (state == StateFree || state == StateUnused) continue;
                if (state == StateLive) live++; else tombstones++;
                int header = Block(_storage, s)[1];
                bool flagged = (header & DeletedFlag) != 0;
                if (flagged != (state == StateTombstone)) Report($"slot {s}: deleted flag {flagged} but state {state}");
                long id = _storage.Ids[s >> HnswStorage.ChunkShift][s & HnswStorage.ChunkMask];
                if (state == StateLive && (!_slotOf.TryGetValue(id, out int mapped) || mapped != s)) Report($"slot {s}: id {id} is not mapped to it");
                if (_words > 0) CheckRow(s, Report);
                for (int lev = 0; lev <= _levels[s]; lev++)
                {
                    var links = LinksW(s, lev);
                    if (links.Length > MaxLinks(lev)) Report($"slot {s} level {lev}: {links.Length} links > max {MaxLinks(lev)}");
                    seen.Clear();
                    foreach (int t in links)
                    {
                        if (t == s) Report($"slot {s} level {lev}: self-link");
                        else if (!seen.Add(t)) Report($"slot {s} level {lev}: duplicate link to {t}");
                        if ((uint)t >= (uint)_slotCount || _state[t] == StateFree || _state[t] == StateUnused) { Report($"slot {s} level {lev}: dangling link to {t}"); continue; }
                        if (_levels[t] < lev) Report($"slot {s} level {lev}: link to {t} whose top level is {_levels[t]}");
                        if (lev == 0) inDegree[t]++;
                    }
                }
            }
            for (int s = 0; s < _slotCount; s++)
                if (inDegree[s] != _inDegree0[s]) { Report($"slot {s}: in-degree {_inDegree0[s]} recorded, {inDegree[s]} actual"); break; }
            if (live != _live) Report($"live count {_live} recorded, {live} actual");
            if (_slotOf.Count != live) Report($"id map holds {_slotOf.Count} ids for {live} live nodes");
            int reachable = CountReachableLive(Report);
            if (reachable != live) Report($"{live - reachable} live nodes are not reachable from the entry point");
            return new IntegrityReport(live, reachable, tombstones, problems);
        }
    }

    /// <summary>The walk's copy must be exactly the rounding of the fp32 vector, and within the norm bound the re-score margin relies on.</summary>
    private void CheckRow(int s, Action<string> report)
    {
        float* v = Vec(_storage, s);
        uint* row = Row(_storage, s);
        Span<uint> expected = stackalloc uint[_words];
        BFloat16Distances.Encode(new ReadOnlySpan<float>(v, _dim), expected);
        if (!expected.SequenceEqual(new ReadOnlySpan<uint>(row, _words))) report($"slot {s}: bfloat16 row differs from the rounding of its fp32 vector");
        if (MathF.Sqrt(Distances.Dot(v, v, _dim)) > _maxNorm) report($"slot {s}: vector norm exceeds the recorded bound {_maxNorm}");
    }

    private int CountReachableLive(Action<string> report)
    {
        if (_entry < 0) return 0;
        int entry = (int)_entry;
        if (_levels[entry] != (int)(_entry >> 32)) report($"entry point {entry} has level {_levels[entry]}, entry word says {_entry >> 32}");
        var visited = new bool[_slotCount];
        var queue = new Queue<int>();
        visited[entry] = true;
        queue.Enqueue(entry);
        int reachable = 0;
        while (queue.Count > 0)
        {
            int s = queue.Dequeue();
            if (_state[s] == StateLive) reachable++;
            foreach (int t in LinksW(s, 0))
            {
                if ((uint)t < (uint)_slotCount && !visited[t]) { visited[t] = true; queue.Enqueue(t); }
            }
        }
        return reachable;
    }
}
