namespace Cascade.Features.Data;

/// <summary>The var-len part of a batch for one column: sample b owns Values[Offsets[b]..Offsets[b+1]].</summary>
public sealed class VarLenBatch
{
    /// <summary>Start offsets. // (B + 1)</summary>
    public int[] Offsets { get; }
    /// <summary>Ids, capacity sized for the longest rows. // (Σ lengths)</summary>
    public int[] Values { get; }
    /// <summary>Timestamps of sequence elements, or null for multi-hot. // (Σ lengths)</summary>
    public long[]? Times { get; }
    /// <summary>TIM relative positions: 0 for the newest element of each row, 1 for the one before, ... // (Σ lengths)</summary>
    public int[] Positions { get; }

    /// <summary>Buffers for <paramref name="batchSize"/> rows holding up to <paramref name="capacity"/> ids (serving builds its own batches).</summary>
    public VarLenBatch(int batchSize, int capacity, bool timed)
    {
        Offsets = new int[batchSize + 1];
        Values = new int[capacity];
        Times = timed ? new long[capacity] : null;
        Positions = new int[capacity];
    }
}

/// <summary>
/// A reusable batch buffer: the batcher overwrites the same arrays every step, so training allocates nothing per
/// batch. Only the first <see cref="Count"/> rows are valid; use the span properties.
/// </summary>
public sealed class Batch
{
    /// <summary>Valid rows B in this batch (≤ capacity).</summary>
    public int Count { get; set; }
    /// <summary>Sparse ids per row (Ws).</summary>
    public int SparseWidth { get; }
    /// <summary>Dense values per row (Fd).</summary>
    public int DenseWidth { get; }
    /// <summary>Sparse ids buffer. // (capacity, Ws)</summary>
    public int[] Sparse { get; }
    /// <summary>Dense buffer. // (capacity, Fd)</summary>
    public float[] Dense { get; }
    /// <summary>Labels buffer. // (capacity)</summary>
    public float[] Labels { get; }
    /// <summary>Weights buffer. // (capacity)</summary>
    public float[] Weights { get; }
    /// <summary>User ids (GAUC groups). // (capacity)</summary>
    public int[] UserIds { get; }
    /// <summary>HAP source tags. // (capacity)</summary>
    public byte[] Sources { get; }
    /// <summary>Sample timestamps. // (capacity)</summary>
    public long[] Timestamps { get; }
    /// <summary>Dataset row index of each batch row. // (capacity)</summary>
    public int[] Rows { get; }
    /// <summary>Var-len columns in dataset order.</summary>
    public IReadOnlyList<VarLenBatch> VarLen { get; }

    /// <summary>Valid sparse ids. // (B, Ws)</summary>
    public ReadOnlySpan<int> SparseSpan => Sparse.AsSpan(0, Count * SparseWidth);
    /// <summary>Valid dense values. // (B, Fd)</summary>
    public ReadOnlySpan<float> DenseSpan => Dense.AsSpan(0, Count * DenseWidth);
    /// <summary>Valid labels. // (B)</summary>
    public ReadOnlySpan<float> LabelSpan => Labels.AsSpan(0, Count);

    /// <summary>Empty buffers for <paramref name="capacity"/> rows (the batcher and the serving cascade reuse them).</summary>
    public Batch(int capacity, int sparseWidth, int denseWidth, IReadOnlyList<VarLenBatch> varLen)
    {
        SparseWidth = sparseWidth; DenseWidth = denseWidth;
        Sparse = new int[capacity * sparseWidth]; Dense = new float[capacity * denseWidth];
        Labels = new float[capacity]; Weights = new float[capacity]; UserIds = new int[capacity];
        Sources = new byte[capacity]; Timestamps = new long[capacity]; Rows = new int[capacity];
        VarLen = varLen;
    }
}
