namespace Cascade.Features.Encoders;

/// <summary>
/// Output buffers of <see cref="SchemaEncoder.EncodeRow"/>, allocated once per layout and overwritten per row:
/// sparse ids (Ws), dense floats (Fd), and per var-len column its ids and timestamps with a length.
/// </summary>
public sealed class EncodedRow
{
    /// <summary>Sparse ids. // (Ws)</summary>
    public int[] Sparse { get; }
    /// <summary>Dense values. // (Fd)</summary>
    public float[] Dense { get; }
    /// <summary>Per var-len column: ids, capacity = max length. // (V)(MaxLength)</summary>
    public int[][] VarLen { get; }
    /// <summary>Per var-len column: timestamps of sequence elements (0 for multi-hot). // (V)(MaxLength)</summary>
    public long[][] VarLenTime { get; }
    /// <summary>Per var-len column: number of valid entries. // (V)</summary>
    public int[] VarLenLength { get; }

    /// <summary>Allocates buffers for a layout.</summary>
    public EncodedRow(FeatureLayout layout)
    {
        Sparse = new int[layout.SparseWidth];
        Dense = new float[layout.DenseWidth];
        var vl = layout.Slots.Where(s => s.Block == FeatureBlock.VarLen).ToArray();
        VarLen = vl.Select(s => new int[s.Width]).ToArray();
        VarLenTime = vl.Select(s => new long[s.Width]).ToArray();
        VarLenLength = new int[vl.Length];
    }
}
