using Cascade.Kernels;
using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>Options of <see cref="Embedding"/> and <see cref="EmbeddingBag"/>.</summary>
/// <param name="Rows">Vocabulary size, or the number of hash buckets when <paramref name="Hashed"/>.</param>
/// <param name="Dim">Embedding width D.</param>
/// <param name="Hashed">True: ids are raw values (any int) mapped to a bucket by a fixed 64-bit mix modulo Rows.</param>
/// <param name="PaddingId">Id that yields a zero vector and receives no gradient (−1 for none). A raw id in hashed mode.</param>
/// <param name="InitStd">Standard deviation of the N(0, σ²) initialisation.</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="Sparse">True: the table is a sparse parameter updated lazily by touched row.</param>
public sealed record EmbeddingOptions(int Rows, int Dim, bool Hashed = false, int PaddingId = -1, float InitStd = 0.01f, ulong Seed = 1, bool Sparse = true);

/// <summary>Shared table handling of the embedding layers.</summary>
public abstract class EmbeddingBase : Module
{
    private protected EmbeddingBase(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Dim, 1);
        if (!options.Hashed && options.PaddingId >= options.Rows)
            throw new ArgumentException($"Embedding padding id {options.PaddingId} is outside the vocabulary of {options.Rows} rows.", nameof(options));
        Options = options;
        var table = Tensor.Zeros([options.Rows, options.Dim]);
        Init.Normal(table, new Rng(options.Seed), options.InitStd);
        if (!options.Hashed && options.PaddingId >= 0) table.Span.Slice(options.PaddingId * options.Dim, options.Dim).Clear();
        Table = RegisterParameter("weight", new Parameter(table, sparse: options.Sparse, group: Parameter.EmbeddingGroup)); // (V, D)
    }

    /// <summary>The options the layer was built with.</summary>
    public EmbeddingOptions Options { get; }

    /// <summary>The table (V, D).</summary>
    public Parameter Table { get; }

    /// <summary>Embedding width D.</summary>
    public int Dim => Options.Dim;

    /// <summary>Bucket of a raw id in hashed mode: SplitMix64 finaliser of the id, modulo Rows.</summary>
    public int Bucket(long rawId)
    {
        ulong z = (ulong)rawId + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z % (ulong)Options.Rows);
    }

    /// <summary>
    /// Table rows for <paramref name="ids"/>: in vocabulary mode the ids themselves (the lookup ops range-check
    /// them); in hashed mode a new tensor of buckets where padding ids become −1. Returns the rows and the padding
    /// marker to pass to the op.
    /// </summary>
    private protected (IntTensor Rows, int Padding) ResolveRows(IntTensor ids)
    {
        if (!Options.Hashed) return (ids, Options.PaddingId);
        var src = ids.Data;
        var result = IntTensor.Empty(ids.Shape); // from the active arena when there is one
        var rows = result.Data;
        for (int i = 0; i < src.Length; i++) rows[i] = src[i] == Options.PaddingId && Options.PaddingId >= 0 ? -1 : Bucket(src[i]);
        return (result, -1);
    }
}

/// <summary>
/// Row lookup: ids (…) → (…, D). Gradient rows are scattered into the table and, for a sparse table, recorded in
/// <see cref="Tensor.TouchedRows"/> so that lazy optimizers touch only those rows.
/// </summary>
/// <example><code>var emb = new Embedding(new EmbeddingOptions(100_000, 16)); var e = emb.Forward(ids); // (B, F) → (B, F, 16)</code></example>
public sealed class Embedding : EmbeddingBase
{
    /// <summary>Creates the table.</summary>
    public Embedding(EmbeddingOptions options) : base(options) { }

    /// <summary>ids (…) → (…, D).</summary>
    public Tensor Forward(IntTensor ids)
    {
        var (rows, pad) = ResolveRows(ids);
        return Ops.Embedding(Table, rows, pad);
    }
}

/// <summary>
/// Pooled lookup of variable-length bags (multi-hot features): bag b owns ids[offsets[b] .. offsets[b + 1]);
/// output (B, D) is the sum, mean or element-wise max of its rows. Padding ids are skipped; an empty bag gives zeros.
/// </summary>
public sealed class EmbeddingBag : EmbeddingBase
{
    /// <summary>Creates the table with the pooling <paramref name="mode"/>.</summary>
    public EmbeddingBag(EmbeddingOptions options, BagMode mode = BagMode.Sum) : base(options) => Mode = mode;

    /// <summary>Pooling mode.</summary>
    public BagMode Mode { get; }

    /// <summary>ids (T) flat with offsets (B + 1, non-decreasing, offsets[0] = 0, offsets[B] = T) → (B, D).</summary>
    public Tensor Forward(IntTensor ids, IntTensor offsets)
    {
        var (rows, pad) = ResolveRows(ids);
        return Ops.EmbeddingBag(Table, rows, offsets, Mode, pad);
    }

    /// <summary>Fixed-length bags: ids (B, L), short bags filled with the padding id → (B, D).</summary>
    public Tensor Forward(IntTensor ids)
    {
        if (ids.Rank != 2) throw new ArgumentException($"EmbeddingBag: fixed-length ids must be (B, L); got rank {ids.Rank}.", nameof(ids));
        int b = ids.Dim(0), l = ids.Dim(1);
        var offsets = IntTensor.Empty([b + 1]);
        for (int i = 0; i <= b; i++) offsets.Data[i] = i * l;
        var (rows, pad) = ResolveRows(ids);
        var flat = IntTensor.Empty([b * l]);
        rows.Data.AsSpan().CopyTo(flat.Data);
        return Ops.EmbeddingBag(Table, flat, offsets, Mode, pad);
    }
}
