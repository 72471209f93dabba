using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>Order in which the batcher visits samples.</summary>
public enum BatchOrder
{
    /// <summary>A fresh seeded permutation per epoch (seed mixed with the epoch number).</summary>
    Shuffled,
    /// <summary>Dataset order.</summary>
    Sequential,
    /// <summary>Ascending sample timestamp (stable), for streaming/online learning.</summary>
    TimeOrder,
}

/// <summary>Batcher settings.</summary>
/// <param name="BatchSize">Rows per batch B.</param>
/// <param name="Seed">Shuffle seed.</param>
/// <param name="Order">Visiting order.</param>
/// <param name="DropLast">Skip the final partial batch.</param>
public sealed record BatcherOptions(int BatchSize = 256, ulong Seed = 42, BatchOrder Order = BatchOrder.Shuffled, bool DropLast = false);

/// <summary>
/// Yields batches over a <see cref="ColumnarDataset"/> into one reusable <see cref="Batch"/>: after construction it
/// allocates nothing per epoch or batch. Usage:
/// <code>
/// var batcher = new Batcher(train, new BatcherOptions(2048, Seed: 1));
/// for (int e = 0; e &lt; epochs; e++) { batcher.StartEpoch(e); while (batcher.Next(out var b)) Step(b); }
/// </code>
/// </summary>
public sealed class Batcher
{
    private readonly ColumnarDataset _ds;
    private readonly int[] _order;
    private readonly Batch _batch;
    private readonly FeatureRng _rng = new(0);
    private int _cursor;

    /// <summary>The settings.</summary>
    public BatcherOptions Options { get; }

    /// <summary>Creates the batcher and its buffers (var-len capacity = B × longest row of each column).</summary>
    public Batcher(ColumnarDataset dataset, BatcherOptions options)
    {
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be ≥ 1.");
        _ds = dataset; Options = options;
        _order = new int[dataset.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (options.Order == BatchOrder.TimeOrder)
        {
            var keys = (long[])dataset.Timestamps.Clone();
            Array.Sort(keys, _order); // introsort is unstable; restore row order inside equal timestamps below
            for (int i = 0, j; i < _order.Length; i = j)
            {
                for (j = i + 1; j < _order.Length && keys[j] == keys[i]; j++) { }
                Array.Sort(_order, i, j - i);
            }
        }
        int b = options.BatchSize;
        var vl = dataset.VarLen.Select(c => new VarLenBatch(b, Math.Max(1, b * c.MaxRowLength()), c.Times is not null)).ToArray();
        _batch = new Batch(b, dataset.SparseWidth, dataset.DenseWidth, vl);
        _cursor = int.MaxValue;
    }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => Options.DropLast ? _ds.Count / Options.BatchSize : (_ds.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>Starts epoch <paramref name="epoch"/>; shuffled order depends only on (seed, epoch).</summary>
    public void StartEpoch(int epoch)
    {
        if (Options.Order == BatchOrder.Shuffled)
        {
            for (int i = 0; i < _order.Length; i++) _order[i] = i;
            _rng.Reseed(Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);
            _rng.Shuffle(_order.AsSpan());
        }
        _cursor = 0;
    }

    /// <summary>Fills the shared batch with the next rows; false at the end of the epoch.</summary>
    public bool Next(out Batch batch)
    {
        batch = _batch;
        int remaining = _order.Length - _cursor;
        if (_cursor >= _order.Length || (Options.DropLast && remaining < Options.BatchSize)) return false;
        int n = Math.Min(Options.BatchSize, remaining);
        Fill(_order.AsSpan(_cursor, n));
        _cursor += n;
        return true;
    }

    private void Fill(ReadOnlySpan<int> rows)
    {
        var b = _batch;
        int ws = _ds.SparseWidth, fd = _ds.DenseWidth;
        b.Count = rows.Length;
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            b.Rows[k] = i;
            _ds.Sparse.AsSpan(i * ws, ws).CopyTo(b.Sparse.AsSpan(k * ws));
            _ds.Dense.AsSpan(i * fd, fd).CopyTo(b.Dense.AsSpan(k * fd));
            b.Labels[k] = _ds.Labels[i]; b.Weights[k] = _ds.Weights[i]; b.UserIds[k] = _ds.UserIds[i];
            b.Sources[k] = _ds.Sources[i]; b.Timestamps[k] = _ds.Timestamps[i];
        }
        for (int c = 0; c < _ds.VarLen.Count; c++)
        {
            var col = _ds.VarLen[c];
            var vb = b.VarLen[c];
            int at = 0;
            vb.Offsets[0] = 0;
            for (int k = 0; k < rows.Length; k++)
            {
                int s = col.Offsets[rows[k]], len = col.Offsets[rows[k] + 1] - s;
                col.Values.AsSpan(s, len).CopyTo(vb.Values.AsSpan(at));
                if (vb.Times is not null) col.Times!.AsSpan(s, len).CopyTo(vb.Times.AsSpan(at));
                for (int p = 0; p < len; p++) vb.Positions[at + p] = len - 1 - p; // newest last → position 0
                at += len;
                vb.Offsets[k + 1] = at;
            }
        }
    }
}
