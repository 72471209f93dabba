using System.Numerics.Tensors;
using Cascade.Index;

namespace Cascade.Serving.Online;

/// <summary>
/// Exact top-K retrieval by inner product over every ad embedding: the retrieval method <c>exact</c> of the serving
/// YAML. A float scan of 100,000 × 64 floats reads 25.6 MB per query and is memory-bound (~1.7 ms here, slower than
/// HNSW at ef = 1,000), so the scan runs in two phases:
/// <list type="number">
/// <item>an int8 copy (one scale per ad, blocks of 16 ads, dimension-major: <see cref="ExactScan"/>) scores every ad
/// approximately while reading 4× less memory; a block whose 16 scores cannot reach the current K-th best is skipped
/// with one vector compare;</item>
/// <item>every ad whose approximate score is within 2ε of the K-th best approximate score is re-scored exactly from
/// the float rows, and the K best exact scores win.</item>
/// </list>
/// ε is the largest quantisation error ‖x − scale·q(x)‖₂ over the stored ads, which bounds |approx − exact| for a
/// unit query (Cauchy–Schwarz), so no ad of the exact top K can be dropped in phase 1: the result is exact, not
/// approximate. Eligibility (pause, budget) is one byte per slot, so filtering costs nothing extra.
/// One writer (the near-line updater) and any number of concurrent readers: slots are written in place (a reader may
/// see one ad mid-update, which only perturbs that ad's score for one request) and growth publishes a new store.
/// </summary>
public sealed class ExactRetriever
{
    private sealed class Store(int dimensions, int capacity)
    {
        public readonly sbyte[] Codes = new sbyte[(long)capacity * dimensions + ExactScan.Padding]; // (capacity/16, D, 16)
        public readonly float[] Scales = new float[capacity];                                        // per slot
        public readonly float[] Rows = new float[(long)capacity * dimensions];                       // (capacity, D) exact
        public readonly long[] Ids = new long[capacity];
        public readonly byte[] State = new byte[capacity]; // 0 empty, 1 live and eligible, 2 live but not eligible
        public int Used;                                   // slots ever handed out (the scan bound)
    }

    /// <summary>Per-request buffers of <see cref="Search"/>: reuse one per thread, so steady-state searches allocate nothing.</summary>
    public sealed class Scratch
    {
        internal readonly TopKHeap Heap = new();
        internal int[] Slots = new int[4096];
        internal float[] Approx = new float[4096];
    }

    private readonly Dictionary<long, int> _slotOf = new(); // writer only
    private readonly Stack<int> _free = new();
    private Store _store;
    private float _maxError;

    /// <summary>Creates an empty retriever of <paramref name="dimensions"/>-float embeddings.</summary>
    public ExactRetriever(int dimensions, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _store = new Store(dimensions, RoundUp(Math.Max(capacity, ExactScan.BlockWidth)));
    }

    /// <summary>Embedding length D.</summary>
    public int Dimensions { get; }

    /// <summary>Ads stored.</summary>
    public int Count => _slotOf.Count;

    /// <summary>The largest int8 quantisation error ‖x − scale·q(x)‖₂ of any stored ad (the ε of the exactness bound).</summary>
    public float MaxQuantizationError => Volatile.Read(ref _maxError);

    /// <summary>Inserts or replaces the embedding of <paramref name="id"/> (L2-normalised by the caller).</summary>
    public void Upsert(long id, ReadOnlySpan<float> vector, bool eligible)
    {
        if (vector.Length != Dimensions) throw new ArgumentException($"ExactRetriever.Upsert: ad {id} has {vector.Length} floats, expected {Dimensions}.", nameof(vector));
        if (!float.IsFinite(TensorPrimitives.Sum(vector))) throw new ArgumentException($"ExactRetriever.Upsert: ad {id} has a NaN or infinite component.", nameof(vector));
        if (!_slotOf.TryGetValue(id, out int slot))
        {
            slot = _free.Count > 0 ? _free.Pop() : NewSlot();
            _slotOf[id] = slot;
        }
        var st = _store;
        int d = Dimensions, block = slot / ExactScan.BlockWidth, lane = slot % ExactScan.BlockWidth;
        float max = TensorPrimitives.MaxMagnitude(vector);
        float scale = max > 0 ? max / 127f : 0f;
        float error2 = 0;
        var codes = st.Codes.AsSpan(block * d * ExactScan.BlockWidth);
        for (int j = 0; j < d; j++)
        {
            int q = scale > 0 ? (int)MathF.Round(vector[j] / scale) : 0;
            q = Math.Clamp(q, -127, 127);
            codes[j * ExactScan.BlockWidth + lane] = (sbyte)q;
            float e = vector[j] - scale * q;
            error2 += e * e;
        }
        st.Scales[slot] = scale;
        vector.CopyTo(st.Rows.AsSpan(slot * d, d));
        float error = MathF.Sqrt(error2);
        if (error > _maxError) Volatile.Write(ref _maxError, error);
        st.Ids[slot] = id;
        Volatile.Write(ref st.State[slot], eligible ? (byte)1 : (byte)2);
    }

    /// <summary>Marks <paramref name="id"/> eligible or not (no-op for unknown ids).</summary>
    public void SetEligible(long id, bool eligible)
    {
        if (_slotOf.TryGetValue(id, out int slot)) Volatile.Write(ref _store.State[slot], eligible ? (byte)1 : (byte)2);
    }

    /// <summary>Removes <paramref name="id"/>; returns false when it is not stored.</summary>
    public bool Delete(long id)
    {
        if (!_slotOf.Remove(id, out int slot)) return false;
        Volatile.Write(ref _store.State[slot], (byte)0);
        _free.Push(slot);
        return true;
    }

    private int NewSlot()
    {
        var st = _store;
        if (st.Used == st.Ids.Length)
        {
            var grown = new Store(Dimensions, st.Ids.Length * 2);
            st.Codes.CopyTo(grown.Codes, 0);
            st.Scales.CopyTo(grown.Scales, 0);
            st.Rows.CopyTo(grown.Rows, 0);
            st.Ids.CopyTo(grown.Ids, 0);
            st.State.CopyTo(grown.State, 0);
            grown.Used = st.Used;
            Volatile.Write(ref _store, grown);
            st = grown;
        }
        int slot = st.Used;
        Volatile.Write(ref st.Used, slot + 1);
        return slot;
    }

    private static int RoundUp(int n) => (n + ExactScan.BlockWidth - 1) / ExactScan.BlockWidth * ExactScan.BlockWidth;

    /// <summary>
    /// The <paramref name="k"/> ads with the largest inner product with the unit vector <paramref name="query"/>, best
    /// first, written to <paramref name="results"/> with distance = 1 − score (the HNSW inner-product convention); with
    /// <paramref name="eligibleOnly"/> only eligible ads qualify. Returns how many were written.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results, bool eligibleOnly, Scratch scratch)
    {
        if (query.Length != Dimensions) throw new ArgumentException($"ExactRetriever.Search: query has {query.Length} floats, expected {Dimensions}.", nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (results.Length < k) throw new ArgumentException($"Search: results holds {results.Length}, k = {k}.", nameof(results));
        var st = Volatile.Read(ref _store);
        var heap = scratch.Heap;
        heap.Reset(k);
        int d = Dimensions, width = ExactScan.BlockWidth;
        int blocks = (Volatile.Read(ref st.Used) + width - 1) / width;
        byte accept = eligibleOnly ? (byte)1 : (byte)3; // (state & accept) != 0: eligible-only takes 1, otherwise 1 and 2
        // 2ε plus float slack for the accumulation order (|approx| ≤ 1, 64 terms: < 1e-5).
        float queryNorm = TensorPrimitives.Norm(query);
        float margin = 2f * MaxQuantizationError * Math.Max(queryNorm, 1f) + 1e-4f;
        Span<float> approx = stackalloc float[width];
        int candidates = 0;
        var codes = st.Codes.AsSpan();
        for (int b = 0; b < blocks; b++)
        {
            float floor = heap.Threshold - margin;
            if (!ExactScan.Block(query, codes.Slice(b * d * width, d * width + ExactScan.Padding), st.Scales.AsSpan(b * width, width), approx, floor)) continue;
            int first = b * width;
            for (int lane = 0; lane < width; lane++)
            {
                float a = approx[lane];
                if (a < floor || (st.State[first + lane] & accept) == 0) continue;
                if (candidates == scratch.Slots.Length) Grow(scratch);
                scratch.Slots[candidates] = first + lane;
                scratch.Approx[candidates++] = a;
                if (a > heap.Threshold) heap.Push(a, first + lane);
            }
        }
        float cutoff = heap.Threshold - margin; // −∞ when fewer than k ads qualify: every candidate is re-scored
        heap.Reset(k);
        var rows = st.Rows.AsSpan();
        for (int c = 0; c < candidates; c++)
        {
            if (scratch.Approx[c] < cutoff) continue;
            int slot = scratch.Slots[c];
            float exact = TensorPrimitives.Dot(rows.Slice(slot * d, d), query);
            if (exact > heap.Threshold) heap.Push(exact, slot);
        }
        int n = heap.DrainDescending();
        for (int i = 0; i < n; i++) results[i] = new SearchResult(st.Ids[heap.Slots[i]], 1f - heap.Keys[i]);
        return n;
    }

    private static void Grow(Scratch s)
    {
        Array.Resize(ref s.Slots, s.Slots.Length * 2);
        Array.Resize(ref s.Approx, s.Approx.Length * 2);
    }
}
