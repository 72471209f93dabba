namespace Cascade.Index;

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Inserts <paramref name="id"/>, or, when it is already stored, overwrites its vector in place (readers see the
    /// old or the new vector, never a mix) and relinks its neighbourhood. Safe to call while searches run; writers are
    /// serialised. Under cosine the vector is normalised first.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong dimension, NaN or infinite component, or a zero vector under cosine.</exception>
    public void Upsert(long id, ReadOnlySpan<float> vector)
    {
        VectorGuard.Check(vector, _dim, "HnswIndex.Upsert", id);
        lock (_writeLock)
        {
            var ctx = _writerContext;
            vector.CopyTo(ctx.Query);
            if (_metric == Metric.Cosine) Distances.NormalizeInPlace(ctx.Query);
            fixed (float* q = ctx.Query)
            {
                if (_slotOf.TryGetValue(id, out int slot)) UpdateInPlace(slot, q);
                else InsertNew(id, q);
            }
        }
    }

    /// <summary>Inserts many (id, vector) rows; <paramref name="vectors"/> is (N, D) row-major. Same semantics as repeated Upsert.</summary>
    public void AddRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        if (vectors.Length != (long)ids.Length * _dim)
            throw new ArgumentException($"AddRange: {ids.Length} ids need {(long)ids.Length * _dim} floats (N×D), got {vectors.Length}.", nameof(vectors));
        for (int i = 0; i < ids.Length; i++) Upsert(ids[i], vectors.Slice(i * _dim, _dim));
    }

    private readonly List<(float Dist, int Slot)> _prunePairs = new(64);
    private readonly List<int> _pruneSelected = new(64);

    private void InsertNew(long id, float* q)
    {
        int slot = AllocateSlot();
        int level = RandomLevel();
        RaiseNormBound(q);
        LockNode(slot);
        var st = _storage;
        int* blk = Block(st, slot);
        blk[1] = 0; // count 0, not deleted
        StoreVectorLocked(slot, q);
        st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask] = id;
        st.Upper[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask] = level > 0 ? new int[level * _upStride] : null;
        UnlockNode(slot);
        _levels[slot] = (byte)level;
        _state[slot] = StateLive;
        _slotOf[id] = slot;
        Interlocked.Increment(ref _live);
        if (Volatile.Read(ref _entry) < 0)
        {
            Volatile.Write(ref _entry, ((long)level << 32) | (uint)slot);
            return;
        }
        Link(slot, level, q);
        if (level > (int)(_entry >> 32)) Volatile.Write(ref _entry, ((long)level << 32) | (uint)slot);
    }

    private int AllocateSlot()
    {
        if (_free.Count > 0) return _free.Pop();
        int slot = _slotCount;
        if (slot == int.MaxValue) throw new InvalidOperationException("HnswIndex: slot space exhausted (2^31 − 1 items).");
        if (slot >= _storage.Capacity)
        {
            // Publish the larger directory before any link names a slot in the new chunk (readers rely on it).
            Volatile.Write(ref _storage, _storage.AddChunk(_dim, _stride0, _words));
            int cap = _storage.Capacity;
            Array.Resize(ref _inDegree0, cap);
            Array.Resize(ref _levels, cap);
            Array.Resize(ref _state, cap);
        }
        _slotCount = slot + 1;
        return slot;
    }

    private int RandomLevel()
    {
        // level = ⌊−ln U · mL⌋ with mL = 1/ln M (paper §4.1); capped at 31 so a level fits the entry word.
        double u = 1.0 - _rng.NextDouble();
        return Math.Min(31, (int)(-Math.Log(u) * _levelMult));
    }

    /// <summary>
    /// Links <paramref name="slot"/> (already holding vector <paramref name="q"/>) into every level ≤
    /// <paramref name="level"/>: beam search with efConstruction, heuristic selection of M neighbours, and back-links
    /// that are pruned with the same heuristic when a neighbour is full (Algorithms 1 and 4 of the paper).
    /// </summary>
    private void Link(int slot, int level, float* q)
    {
        var ctx = _writerContext;
        var st = _storage;
        long entry = _entry;
        int top = (int)(entry >> 32);
        int cur = (int)entry;
        float curDist = DistChecked<Float32Walk>(ref st, cur, q, out bool curDeleted);
        GreedyDescend<Float32Walk>(ref st, ctx, q, ref cur, ref curDist, ref curDeleted, top, level);
        var accept = new AcceptLiveExcept { Excluded = slot };
        for (int lev = Math.Min(level, top); lev >= 0; lev--)
        {
            SearchLayer<AcceptLiveExcept, Float32Walk>(ctx, ref st, q, cur, curDist, curDeleted, lev, _options.EfConstruction, ref accept);
            var pairs = ctx.Pairs;
            pairs.Clear();
            while (ctx.Results.Count > 0)
            {
                pairs.Add((ctx.Results.TopKey, ctx.Results.TopValue));
                ctx.Results.Pop();
            }
            if (pairs.Count == 0) continue;
            pairs.Reverse(); // ascending distance
            cur = pairs[0].Slot;
            curDist = pairs[0].Dist;
            curDeleted = false;
            SelectHeuristic(pairs, _m, ctx.Selected);
            SetLinks(slot, lev, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ctx.Selected));
            var chosen = ctx.Scratch;
            chosen.Clear();
            chosen.AddRange(ctx.Selected);
            foreach (int n in chosen) AddBackLink(n, slot, lev);
        }
    }

    /// <summary>
    /// Heuristic neighbour selection (Algorithm 4): walk candidates by ascending distance to the base and keep one only
    /// if it is closer to the base than to every neighbour already kept, so links spread over directions instead of
    /// piling into one cluster. <paramref name="pairs"/> must be sorted ascending.
    /// </summary>
    private void SelectHeuristic(List<(float Dist, int Slot)> pairs, int max, List<int> selected)
    {
        selected.Clear();
        foreach (var (dist, c) in pairs)
        {
            if (selected.Count >= max) break;
            bool good = true;
            foreach (int r in selected)
            {
                if (DistW(c, r) < dist) { good = false; break; }
            }
            if (good) selected.Add(c);
        }
    }

    /// <summary>Adds <paramref name="newcomer"/> to <paramref name="node"/>'s list at a level, pruning with the heuristic when full.</summary>
    private void AddBackLink(int node, int newcomer, int level)
    {
        var links = LinksW(node, level);
        if (links.Contains(newcomer)) return;
        int max = MaxLinks(level);
        Span<int> buffer = stackalloc int[max + 1];
        links.CopyTo(buffer);
        if (links.Length < max)
        {
            buffer[links.Length] = newcomer;
            SetLinks(node, level, buffer[..(links.Length + 1)]);
            return;
        }
        int n = links.Length;
        buffer[n++] = newcomer;
        var pairs = _prunePairs;
        pairs.Clear();
        for (int i = 0; i < n; i++) pairs.Add((DistW(node, buffer[i]), buffer[i]));
        pairs.Sort(static (a, b) => a.Dist.CompareTo(b.Dist));
        var selected = _pruneSelected;
        SelectHeuristic(pairs, max, selected);
        SetLinks(node, level, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(selected));
    }
}
