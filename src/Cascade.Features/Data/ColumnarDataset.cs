using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>One variable-length id column: sample i owns Values[Offsets[i]..Offsets[i+1]] (and the same Times range).</summary>
/// <param name="Name">Feature name.</param>
/// <param name="Offsets">Start offsets. // (N + 1)</param>
/// <param name="Values">All ids, concatenated. // (Offsets[N])</param>
/// <param name="Times">Timestamps of sequence elements, or null for multi-hot. // (Offsets[N])</param>
public sealed record VarLenColumn(string Name, int[] Offsets, int[] Values, long[]? Times)
{
    /// <summary>Ids of sample i.</summary>
    public ReadOnlySpan<int> Row(int i) => Values.AsSpan(Offsets[i], Offsets[i + 1] - Offsets[i]);
    /// <summary>Longest row.</summary>
    public int MaxRowLength()
    {
        int m = 0;
        for (int i = 0; i + 1 < Offsets.Length; i++) m = Math.Max(m, Offsets[i + 1] - Offsets[i]);
        return m;
    }
}

/// <summary>
/// Encoded samples in columns: a sparse id block (N, Ws) and a dense block (N, Fd), both row-major; var-len id
/// columns as values + offsets; labels, weights, user ids (GAUC groups), source tags (HAP) and timestamps per sample.
/// Built by <see cref="ColumnarDatasetBuilder"/>, saved and memory-mapped by <see cref="DatasetCache"/>.
/// </summary>
public sealed class ColumnarDataset
{
    /// <summary>Number of samples N.</summary>
    public int Count { get; }
    /// <summary>Sparse ids per sample (Ws).</summary>
    public int SparseWidth { get; }
    /// <summary>Dense values per sample (Fd).</summary>
    public int DenseWidth { get; }
    /// <summary>Sparse ids, row-major. // (N, Ws)</summary>
    public int[] Sparse { get; }
    /// <summary>Dense values, row-major. // (N, Fd)</summary>
    public float[] Dense { get; }
    /// <summary>Var-len columns in layout order.</summary>
    public IReadOnlyList<VarLenColumn> VarLen { get; }
    /// <summary>Labels. // (N)</summary>
    public float[] Labels { get; }
    /// <summary>Weights. // (N)</summary>
    public float[] Weights { get; }
    /// <summary>User ids for GAUC (−1 unknown). // (N)</summary>
    public int[] UserIds { get; }
    /// <summary>HAP source tags (<see cref="SampleSource"/>). // (N)</summary>
    public byte[] Sources { get; }
    /// <summary>Sample timestamps (0 unknown). // (N)</summary>
    public long[] Timestamps { get; }

    /// <summary>Wraps existing columns; validates their lengths.</summary>
    public ColumnarDataset(int count, int sparseWidth, int denseWidth, int[] sparse, float[] dense, IReadOnlyList<VarLenColumn> varLen,
        float[] labels, float[] weights, int[] userIds, byte[] sources, long[] timestamps)
    {
        Check(sparse.Length == (long)count * sparseWidth, "sparse");
        Check(dense.Length == (long)count * denseWidth, "dense");
        Check(labels.Length == count && weights.Length == count && userIds.Length == count && sources.Length == count && timestamps.Length == count, "per-sample");
        foreach (var c in varLen)
            Check(c.Offsets.Length == count + 1 && c.Offsets[count] == c.Values.Length && (c.Times is null || c.Times.Length == c.Values.Length), $"var-len '{c.Name}'");
        Count = count; SparseWidth = sparseWidth; DenseWidth = denseWidth; Sparse = sparse; Dense = dense; VarLen = varLen;
        Labels = labels; Weights = weights; UserIds = userIds; Sources = sources; Timestamps = timestamps;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok) throw new ArgumentException($"dataset column lengths are inconsistent ({what}).");
    }

    /// <summary>Sparse ids of sample i. // (Ws)</summary>
    public ReadOnlySpan<int> SparseRow(int i) => Sparse.AsSpan(i * SparseWidth, SparseWidth);
    /// <summary>Dense values of sample i. // (Fd)</summary>
    public ReadOnlySpan<float> DenseRow(int i) => Dense.AsSpan(i * DenseWidth, DenseWidth);

    /// <summary>Fraction of samples with label &gt; 0.5.</summary>
    public double PositiveRate()
    {
        long p = 0;
        foreach (float y in Labels) if (y > 0.5f) p++;
        return Count == 0 ? 0 : (double)p / Count;
    }

    /// <summary>A new dataset holding the given rows in the given order.</summary>
    public ColumnarDataset Select(ReadOnlySpan<int> rows)
    {
        int n = rows.Length;
        var sp = new int[(long)n * SparseWidth]; var de = new float[(long)n * DenseWidth];
        var lab = new float[n]; var w = new float[n]; var u = new int[n]; var s = new byte[n]; var t = new long[n];
        for (int k = 0; k < n; k++)
        {
            int i = rows[k];
            SparseRow(i).CopyTo(sp.AsSpan(k * SparseWidth));
            DenseRow(i).CopyTo(de.AsSpan(k * DenseWidth));
            lab[k] = Labels[i]; w[k] = Weights[i]; u[k] = UserIds[i]; s[k] = Sources[i]; t[k] = Timestamps[i];
        }
        var cols = new List<VarLenColumn>();
        foreach (var c in VarLen)
        {
            var off = new int[n + 1];
            for (int k = 0; k < n; k++) off[k + 1] = off[k] + (c.Offsets[rows[k] + 1] - c.Offsets[rows[k]]);
            var vals = new int[off[n]]; var times = c.Times is null ? null : new long[off[n]];
            for (int k = 0; k < n; k++)
            {
                int a = c.Offsets[rows[k]], len = c.Offsets[rows[k] + 1] - a;
                Array.Copy(c.Values, a, vals, off[k], len);
                if (times is not null) Array.Copy(c.Times!, a, times, off[k], len);
            }
            cols.Add(new VarLenColumn(c.Name, off, vals, times));
        }
        return new ColumnarDataset(n, SparseWidth, DenseWidth, sp, de, cols, lab, w, u, s, t);
    }
}
