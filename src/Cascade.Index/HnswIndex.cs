using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Index;

/// <summary>
/// Hierarchical navigable small-world graph (Malkov &amp; Yashunin 2018) that serves searches while it is updated.
/// Vectors (N, D) and level-0 links (N, 2M + 2) live in flat chunked arrays; each node has a sequence lock in a dense
/// version array (even = stable, odd = being written) that covers its vector, links and deleted flag. Readers never
/// lock: they copy what they need and retry if the version moved (see docs/design/hnsw.md). Writers are serialised by
/// one writer lock and take the per-node lock of each node they change, so a search never sees a torn vector or a
/// half-written neighbour list, and no update is lost.
/// </summary>
/// <example><code>
/// var index = new HnswIndex(32, new HnswOptions { Metric = Metric.InnerProduct, M = 16, EfConstruction = 200 });
/// index.Upsert(42, vector);              // insert, or update in place and relink
/// var hits = index.Search(query, k: 10, ef: 80);
/// index.Delete(42);                      // excluded from results at once, neighbours repaired
/// </code></example>
public sealed unsafe partial class HnswIndex
{
    private const int DeletedFlag = 1 << 30;           // in the link-block header: the writer's record
    private const int VersionLocked = 1, VersionDeleted = 2, VersionStep = 4; // the version word (readers' view)
    private const int CountMask = 0xFFFF;
    private const byte StateUnused = 0, StateLive = 1, StateTombstone = 2, StateFree = 3;

    private readonly int _dim;
    private readonly int _m;
    private readonly int _m0;
    private readonly int _stride0;   // ints per level-0 block: version, header, 2M links
    private readonly int _upStride;  // ints per upper level: count, M links
    private readonly int _words;     // bfloat16 row length in 32-bit words; 0 when searches walk on fp32
    private readonly double _levelMult;
    private readonly Metric _metric;
    private readonly HnswOptions _options;

    private HnswStorage _storage = HnswStorage.Empty;
    private long _entry = -1; // (maxLevel << 32) | slot, −1 while empty
    private float _maxNorm;   // largest ‖v‖ ever stored (never decreases): bounds the bfloat16 error of any row

    private readonly object _writeLock = new();
    private ConcurrentDictionary<long, int> _slotOf = new();
    private readonly SearchContextPool _pool;
    private readonly SearchContext _writerContext;
    private Random _rng;
    private int _slotCount;              // slots ever handed out (high-water mark)
    private int _live;
    private int[] _inDegree0 = [];       // writer-only: level-0 in-links per slot
    private byte[] _levels = [];         // writer-only: top level per slot
    private byte[] _state = [];          // writer-only: StateUnused/Live/Tombstone/Free
    private readonly Stack<int> _free = new();
    private readonly List<int> _pending = new();

    /// <summary>Creates an empty index of <paramref name="dimensions"/>-component vectors.</summary>
    public HnswIndex(int dimensions, HnswOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _dim = dimensions;
        _m = options.M;
        _m0 = 2 * options.M;
        _stride0 = _m0 + 2;
        _upStride = _m + 1;
        _words = options.TraversalPrecision == TraversalPrecision.BFloat16 ? BFloat16Distances.WordsPerRow(dimensions) : 0;
        _levelMult = 1.0 / Math.Log(options.M);
        _metric = options.Metric;
        _rng = new Random(options.Seed);
        _pool = new SearchContextPool(this);
        _writerContext = new SearchContext(this);
    }

    /// <summary>Vector length D.</summary>
    public int Dimensions => _dim;

    /// <summary>The options the index was built with.</summary>
    public HnswOptions Options => _options;

    /// <summary>Number of live (not deleted) items.</summary>
    public int Count => Volatile.Read(ref _live);

    /// <summary>Slots allocated (live + deleted awaiting reuse); grows in chunks of 16,384 without stopping readers.</summary>
    public int Capacity => Volatile.Read(ref _storage).Capacity;

    /// <summary>Bytes held by vectors, links, ids and upper-level lists (the index itself, not the CLR overhead).</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_writeLock)
            {
                long bytes = _storage.Bytes(_dim, _stride0, _words) + _inDegree0.Length * 6L;
                for (int s = 0; s < _slotCount; s++) bytes += _levels[s] * _upStride * 4L;
                return bytes + _slotOf.Count * 32L;
            }
        }
    }

    /// <summary>True when <paramref name="id"/> is stored and not deleted.</summary>
    public bool Contains(long id) => _slotOf.ContainsKey(id);

    /// <summary>Copies the stored vector of <paramref name="id"/> (normalised under cosine) into <paramref name="destination"/>.</summary>
    /// <exception cref="KeyNotFoundException">The id is not in the index.</exception>
    public void GetVector(long id, Span<float> destination)
    {
        if (destination.Length != _dim) throw new ArgumentException($"GetVector: destination holds {destination.Length} floats, the index has D = {_dim}.", nameof(destination));
        while (true)
        {
            if (!_slotOf.TryGetValue(id, out int slot)) throw new KeyNotFoundException($"HnswIndex.GetVector: id {id} is not in the index.");
            var st = Volatile.Read(ref _storage);
            if (ReadVectorChecked(ref st, slot, destination, out long storedId, out bool deleted) && storedId == id && !deleted) return;
            Thread.SpinWait(8); // the slot was reused or deleted between the lookup and the read: look up again
        }
    }

    // ---- addressing -------------------------------------------------------------------------------------------
    // Callers guarantee slot < st.Capacity (EnsureStorage), and Capacity = chunks << ChunkShift, so the directory
    // lookups below are in range; they skip the bounds check because they run once per distance.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* Block(HnswStorage st, int slot)
        => (int*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(st.Blocks), slot >> HnswStorage.ChunkShift) + (long)(slot & HnswStorage.ChunkMask) * _stride0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Vec(HnswStorage st, int slot)
        => (float*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(st.Vectors), slot >> HnswStorage.ChunkShift) + (long)(slot & HnswStorage.ChunkMask) * _dim;

    /// <summary>The node's bfloat16 row (only when _words > 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint* Row(HnswStorage st, int slot)
        => (uint*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(st.Rows), slot >> HnswStorage.ChunkShift) + (long)(slot & HnswStorage.ChunkMask) * _words;

    /// <summary>The node's sequence-lock word: bit 0 = being written, bit 1 = deleted, bits 2… = write count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int* Ver(HnswStorage st, int slot)
        => (int*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(st.Versions), slot >> HnswStorage.ChunkShift) + (slot & HnswStorage.ChunkMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureStorage(ref HnswStorage st, int slot)
    {
        // A link can name a slot in a chunk added after this reader loaded the directory; the newer directory is
        // published before any link to such a slot, so one reload is enough.
        if ((uint)slot >= (uint)st.Capacity) st = Volatile.Read(ref _storage);
    }

    /// <summary>Asks for the cache lines of a node's vector and version word (no-op without SSE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(HnswStorage st, int slot)
    {
        if (!Sse.IsSupported) return;
        byte* v = (byte*)Vec(st, slot);
        byte* end = v + _dim * sizeof(float);
        for (byte* p = v; p < end; p += 64) Sse.Prefetch0(p);
        if ((_dim & 15) != 0) Sse.Prefetch0(end - 1); // rows not a multiple of 64 bytes may straddle one more line
        Sse.Prefetch0(Ver(st, slot));
    }

    // ---- reader side: optimistic reads validated by the node's sequence lock -----------------------------------

    /// <summary>Copies the links of <paramref name="slot"/> at <paramref name="level"/> into <paramref name="buffer"/>; returns the count.</summary>
    private int ReadLinks(ref HnswStorage st, int slot, int level, int[] buffer)
    {
        EnsureStorage(ref st, slot);
        int* ver = Ver(st, slot);
        int* blk = Block(st, slot);
        while (true)
        {
            int v1 = Volatile.Read(ref *ver);
            if ((v1 & VersionLocked) == 0)
            {
                int n;
                if (level == 0)
                {
                    n = blk[1] & CountMask;
                    if (n > _m0) n = 0; // only possible in a torn read, which the version check below rejects
                    CopyLinks(blk + 2, n, buffer);
                }
                else
                {
                    int[]? up = st.Upper[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask];
                    int off = (level - 1) * _upStride;
                    if (up is null || off + _upStride > up.Length) n = 0;
                    else
                    {
                        n = up[off];
                        if ((uint)n > (uint)_m) n = 0;
                        up.AsSpan(off + 1, n).CopyTo(buffer);
                    }
                }
                Volatile.ReadBarrier();
                if (Volatile.Read(ref *ver) == v1) return n;
            }
            Thread.SpinWait(4);
        }
    }

    /// <summary>
    /// Copies n ≤ 2M level-0 links with 8-int vector moves (a block always holds 2M slots, so reading up to the next
    /// multiple of 8 within 2M stays inside it); Span.CopyTo called Memmove, 3.8% of a search at ef = 1,000.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CopyLinks(int* src, int n, int[] buffer)
    {
        fixed (int* dst = buffer)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                int vecEnd = Math.Min(n + 7, _m0) & ~7;
                for (; i < vecEnd; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            }
            for (; i < n; i++) dst[i] = src[i];
        }
    }

    /// <summary>
    /// Distance from <paramref name="q"/> to the vector of <paramref name="slot"/> as <typeparamref name="TWalk"/>
    /// computes it (fp32, or bfloat16 with q split into even/odd halves), read consistently with its deleted flag.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float DistChecked<TWalk>(ref HnswStorage st, int slot, float* q, out bool deleted)
        where TWalk : struct, IWalk
    {
        EnsureStorage(ref st, slot);
        int* ver = Ver(st, slot);
        while (true)
        {
            int v1 = Volatile.Read(ref *ver);
            if ((v1 & VersionLocked) == 0)
            {
                float d = default(TWalk).Distance(this, st, slot, q);
                Volatile.ReadBarrier();
                if (Volatile.Read(ref *ver) == v1)
                {
                    deleted = (v1 & VersionDeleted) != 0;
                    return d;
                }
            }
            Thread.SpinWait(4);
        }
    }

    /// <summary>Copies the vector, id and deleted flag of a slot as one consistent snapshot; false if the slot is beyond the directory.</summary>
    private bool ReadVectorChecked(ref HnswStorage st, int slot, Span<float> destination, out long id, out bool deleted)
    {
        EnsureStorage(ref st, slot);
        if ((uint)slot >= (uint)st.Capacity) { id = -1; deleted = true; return false; }
        int* ver = Ver(st, slot);
        float* v = Vec(st, slot);
        while (true)
        {
            int v1 = Volatile.Read(ref *ver);
            if ((v1 & VersionLocked) == 0)
            {
                new ReadOnlySpan<float>(v, _dim).CopyTo(destination);
                id = st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask];
                Volatile.ReadBarrier();
                if (Volatile.Read(ref *ver) == v1)
                {
                    deleted = (v1 & VersionDeleted) != 0;
                    return true;
                }
            }
            Thread.SpinWait(4);
        }
    }

    /// <summary>Id of a slot without validation: used only by filters, whose verdict is re-checked on validated data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long IdUnchecked(ref HnswStorage st, int slot)
    {
        EnsureStorage(ref st, slot);
        return Volatile.Read(ref st.Ids[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask]);
    }

    /// <summary>The deleted bit of a slot's version word without validation (a hint; final hits are re-checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool DeletedUnchecked(ref HnswStorage st, int slot)
    {
        EnsureStorage(ref st, slot);
        return (Volatile.Read(ref *Ver(st, slot)) & VersionDeleted) != 0;
    }

    // ---- writer side (caller holds _writeLock) -----------------------------------------------------------------

    private void LockNode(int slot)
    {
        int* ver = Ver(_storage, slot);
        while (true)
        {
            int v = Volatile.Read(ref *ver);
            if ((v & VersionLocked) == 0 && Interlocked.CompareExchange(ref *ver, v | VersionLocked, v) == v) return;
            Thread.SpinWait(4);
        }
    }

    /// <summary>Publishes the node's new state: the write count advances and the deleted bit mirrors the header flag.</summary>
    private void UnlockNode(int slot)
    {
        int* ver = Ver(_storage, slot);
        int deleted = (Block(_storage, slot)[1] & DeletedFlag) != 0 ? VersionDeleted : 0;
        Volatile.Write(ref *ver, ((*ver & ~(VersionLocked | VersionDeleted)) + VersionStep) | deleted);
    }

    /// <summary>The writer's view of a node's links (stable: only the writer changes them). Do not hold across SetLinks.</summary>
    private ReadOnlySpan<int> LinksW(int slot, int level)
    {
        if (level == 0)
        {
            int* blk = Block(_storage, slot);
            return new ReadOnlySpan<int>(blk + 2, blk[1] & CountMask);
        }
        int[]? up = _storage.Upper[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask];
        if (up is null) return default;
        int off = (level - 1) * _upStride;
        return up.AsSpan(off + 1, up[off]);
    }

    private float* VecW(int slot) => Vec(_storage, slot);

    /// <summary>
    /// Raises the norm bound before a vector is stored: a reader that sees the new row (through the node version's
    /// release/acquire) then also sees a bound that covers it.
    /// </summary>
    private void RaiseNormBound(float* q)
    {
        if (_words == 0) return;
        float norm = MathF.Sqrt(Distances.Dot(q, q, _dim));
        if (norm > _maxNorm) Volatile.Write(ref _maxNorm, norm);
    }

    /// <summary>
    /// Stores a node's vector in fp32 and, when kept, as its bfloat16 row. The caller holds the node lock, so readers
    /// of either copy see the old or the new vector, never a mix, and the two copies always agree.
    /// </summary>
    private void StoreVectorLocked(int slot, float* q)
    {
        var source = new ReadOnlySpan<float>(q, _dim);
        source.CopyTo(new Span<float>(Vec(_storage, slot), _dim));
        if (_words > 0) BFloat16Distances.Encode(source, new Span<uint>(Row(_storage, slot), _words));
    }

    private float DistW(int a, int b) => Distances.Distance(_metric, VecW(a), VecW(b), _dim);

    /// <summary>Replaces a node's links at one level under its node lock, keeping level-0 in-degrees current.</summary>
    private void SetLinks(int slot, int level, ReadOnlySpan<int> links)
    {
        if (level == 0)
        {
            foreach (int o in LinksW(slot, 0)) _inDegree0[o]--;
            foreach (int n in links) _inDegree0[n]++;
        }
        LockNode(slot);
        if (level == 0)
        {
            int* blk = Block(_storage, slot);
            blk[1] = (blk[1] & ~CountMask) | links.Length;
            links.CopyTo(new Span<int>(blk + 2, _m0));
        }
        else
        {
            int[] up = _storage.Upper[slot >> HnswStorage.ChunkShift][slot & HnswStorage.ChunkMask]!;
            int off = (level - 1) * _upStride;
            up[off] = links.Length;
            links.CopyTo(up.AsSpan(off + 1, _m));
        }
        UnlockNode(slot);
    }

    private int MaxLinks(int level) => level == 0 ? _m0 : _m;
}
