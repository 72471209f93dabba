using System.Numerics.Tensors;

namespace Cascade.Serving.Online;

/// <summary>
/// Exact top-K retrieval by inner product over every ad embedding: the retrieval method <c>exact</c> of the serving
/// YAML (docs/design/exact-retrieval.md). A float scan of 100,000 × 64 floats reads 25.6 MB per query (~1.1 ms here),
/// so the search runs in two phases:
/// <list type="number">
/// <item>an int8 copy of every ad (one scale per ad, blocks of 16 ads: <see cref="ExactScan"/>) is scored against an
/// int16 copy of the query with exact integer sums, 6.4 MB per query; each approximate score comes with a rigorous
/// bound |exact − approx| ≤ h (the ad's own quantisation error ‖x − scale·q(x)‖₂ times ‖query‖ by Cauchy–Schwarz,
/// plus the query's rounding and float slack). Candidates whose upper bound reaches the running K-th largest lower
/// bound go to a buffer that is pruned by selection whenever it fills, so no heap work per ad;</item>
/// <item>the survivors (K plus a thin band of near-ties) are re-scored exactly from the float rows and the K best
/// exact scores win.</item>
/// </list>
/// An ad whose upper bound is below the K-th largest lower bound cannot be in the exact top K, so the result is exact,
/// not approximate. Eligibility (pause, budget) is one byte per slot, read only for ads that pass the bound.
/// <para>
/// Concurrency: one writer (the near-line updater) and any number of readers, no locks. Every write of a slot's data
/// (codes, scale, error, block maxima, float row, id) runs inside its block's seqlock: the block version goes odd (a full fence),
/// the data is written, the version goes even (a release). Readers read a block's version, then the data, then the
/// version again and retry when it changed or was odd, so they never use a torn vector. Growth copies the store and
/// publishes the new one; a reader keeps the store it started with.
/// </para>
/// </summary>
public sealed partial class ExactRetriever
{
    private sealed class Store
    {
        public Store(int dimensions, int capacity)
        {
            int blocks = capacity / ExactScan.BlockWidth;
            BlockBytes = ExactScan.BlockBytes(dimensions);
            Codes = new sbyte[(long)blocks * BlockBytes];
            Versions = new int[blocks];
            BlockMax = new float[blocks * 2];
            Scales = new float[capacity];
            Errors = new float[capacity];
            Rows = new float[(long)capacity * dimensions];
            Ids = new long[capacity];
            State = new byte[capacity];
        }
        public readonly int BlockBytes;
        public readonly sbyte[] Codes;   // (capacity/16, Dp/2, 16, 2): ExactScan's block layout
        public readonly int[] Versions;  // per block: even = stable, odd = being written
        public readonly float[] BlockMax;  // per block: (max error, max scale) over its 16 slots, for the block-level test
        public readonly float[] Scales;  // per slot: x ≈ scale · code
        public readonly float[] Errors;  // per slot: ‖x − scale · code‖₂, rounded up
        public readonly float[] Rows;    // (capacity, D) the exact vectors
        public readonly long[] Ids;
        public readonly byte[] State;    // 0 empty, 1 live and eligible, 2 live but not eligible
        public int Used;                 // slots ever handed out (the scan bound)
        public int Capacity => Ids.Length;
    }

    private readonly Dictionary<long, int> _slotOf = new(); // writer only
    private readonly Stack<int> _free = new();
    private readonly sbyte[] _code;                           // writer's quantisation buffer (Dp)
    private Store _store;
    private float _maxError;

    /// <summary>Creates an empty retriever of <paramref name="dimensions"/>-float embeddings with room for <paramref name="capacity"/> ads (it grows).</summary>
    public ExactRetriever(int dimensions, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _code = new sbyte[ExactScan.PaddedDimensions(dimensions)];
        _store = new Store(dimensions, RoundUp(Math.Max(capacity, ExactScan.BlockWidth)));
    }

    /// <summary>Embedding length D.</summary>
    public int Dimensions { get; }

    /// <summary>Ads stored.</summary>
    public int Count => Volatile.Read(ref _live);
    private int _live;

    /// <summary>The largest int8 quantisation error ‖x − scale·q(x)‖₂ of any ad stored so far (each ad's own error bounds its score).</summary>
    public float MaxQuantizationError => Volatile.Read(ref _maxError);

    /// <summary>Inserts or replaces the embedding of <paramref name="id"/> (L2-normalised by the caller). Writer thread only.</summary>
    public void Upsert(long id, ReadOnlySpan<float> vector, bool eligible)
    {
        if (vector.Length != Dimensions) throw new ArgumentException($"ExactRetriever.Upsert: ad {id} has {vector.Length} floats, expected {Dimensions}.", nameof(vector));
        if (!float.IsFinite(TensorPrimitives.Sum(vector)) || !float.IsFinite(TensorPrimitives.SumOfSquares(vector)))
            throw new ArgumentException($"ExactRetriever.Upsert: ad {id} has a NaN or infinite component (or overflows).", nameof(vector));
        if (!_slotOf.TryGetValue(id, out int slot))
        {
            slot = _free.Count > 0 ? _free.Pop() : NewSlot();
            _slotOf[id] = slot;
            Volatile.Write(ref _live, _slotOf.Count);
        }
        var (scale, error) = Quantize(vector, _code);
        if (error > _maxError) Volatile.Write(ref _maxError, error);
        var st = _store;
        int block = slot / ExactScan.BlockWidth, lane = slot % ExactScan.BlockWidth;
        BeginWrite(st, block);
        var codes = st.Codes.AsSpan(block * st.BlockBytes, st.BlockBytes);
        for (int j = 0; j < _code.Length; j++) codes[j / 2 * 2 * ExactScan.BlockWidth + lane * 2 + (j & 1)] = _code[j];
        st.Scales[slot] = scale;
        st.Errors[slot] = error;
        // Over all 16 slots, including empty and deleted ones: an upper bound is all the block test needs.
        int first = block * ExactScan.BlockWidth;
        st.BlockMax[2 * block] = TensorPrimitives.Max(st.Errors.AsSpan(first, ExactScan.BlockWidth));
        st.BlockMax[2 * block + 1] = TensorPrimitives.Max(st.Scales.AsSpan(first, ExactScan.BlockWidth));
        vector.CopyTo(st.Rows.AsSpan(slot * Dimensions, Dimensions));
        st.Ids[slot] = id;
        st.State[slot] = eligible ? (byte)1 : (byte)2;
        EndWrite(st, block);
    }

    /// <summary>
    /// Symmetric int8 codes of <paramref name="vector"/> with scale max|x|/127, and the L2 error of the dequantised
    /// vector, computed in double and rounded up so that it bounds the float error it stands for.
    /// </summary>
    internal static (float Scale, float Error) Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        // MaxMagnitude returns the element itself (signed): the scale needs its absolute value.
        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        float scale = max > 0 ? max / 127f : 0f;
        double error2 = 0;
        codes.Clear();
        for (int j = 0; j < vector.Length; j++)
        {
            int q = scale > 0 ? Math.Clamp((int)MathF.Round(vector[j] / scale), -127, 127) : 0;
            codes[j] = (sbyte)q;
            double e = vector[j] - (double)scale * q;
            error2 += e * e;
        }
        return (scale, (float)(Math.Sqrt(error2) * (1 + 1e-6)) + float.Epsilon);
    }

    /// <summary>Marks <paramref name="id"/> eligible or not (no-op for unknown ids). Writer thread only.</summary>
    public void SetEligible(long id, bool eligible)
    {
        // One byte: readers see the old or the new state, never a mix, so no seqlock is needed.
        if (_slotOf.TryGetValue(id, out int slot)) Volatile.Write(ref _store.State[slot], eligible ? (byte)1 : (byte)2);
    }

    /// <summary>Removes <paramref name="id"/>; returns false when it is not stored. Writer thread only.</summary>
    public bool Delete(long id)
    {
        if (!_slotOf.Remove(id, out int slot)) return false;
        var st = _store;
        // Under the seqlock, so a reader re-scoring this slot sees the deletion together with the id it read.
        BeginWrite(st, slot / ExactScan.BlockWidth);
        st.State[slot] = 0;
        EndWrite(st, slot / ExactScan.BlockWidth);
        _free.Push(slot);
        Volatile.Write(ref _live, _slotOf.Count);
        return true;
    }

    // Odd version: Interlocked.Increment is a full fence, so no data store below can become visible before it.
    private static void BeginWrite(Store st, int block) => Interlocked.Increment(ref st.Versions[block]);

    // Even version: a release, so every data store above is visible before it.
    private static void EndWrite(Store st, int block) => Volatile.Write(ref st.Versions[block], st.Versions[block] + 1);

    private int NewSlot()
    {
        var st = _store;
        if (st.Used == st.Capacity)
        {
            // The writer is the only one mutating, so this copy is consistent (every version even).
            var grown = new Store(Dimensions, st.Capacity * 2);
            st.Codes.CopyTo(grown.Codes, 0);
            st.Versions.CopyTo(grown.Versions, 0);
            st.BlockMax.CopyTo(grown.BlockMax, 0);
            st.Scales.CopyTo(grown.Scales, 0);
            st.Errors.CopyTo(grown.Errors, 0);
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
}
