using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using BagMode = Cascade.Kernels.BagMode;
using Cascade.Nn;
using Cascade.Nn.Layers;
using EmbeddingBag = Cascade.Nn.Layers.EmbeddingBag;
using Cascade.Tensors;

namespace Cascade.Models;

/// <summary>Options of a <see cref="FeatureEmbedder"/>.</summary>
/// <param name="Dim">Embedding dimension D of every table, or null to use each feature's declared dimension.</param>
/// <param name="InitStd">σ of the N(0, σ²) table initialisation (DeepCTR/IntTower use 1e-4).</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="SparseTables">Tables receive lazy sparse updates (only touched rows change).</param>
public sealed record EmbedderOptions(int? Dim = null, float InitStd = 1e-4f, ulong Seed = 1, bool SparseTables = true);

/// <summary>
/// The embedding layer every model shares: one table per distinct table name of the schema (features naming the same
/// table share it, e.g. a movie id and the history of movie ids), and a lookup per slot:
/// a sparse slot of width W gives (B, D) (W &gt; 1, as MNS digits, sums its W rows); a multi-hot or sequence slot
/// is pooled as the schema says (mean, sum, max) to (B, D); dense slots are returned by <see cref="DenseValues"/>.
/// </summary>
public sealed class FeatureEmbedder : Module
{
    private readonly Dictionary<string, EmbeddingBag> _tables = new();
    private readonly Dictionary<string, EmbeddingBag> _byFeature = new();

    /// <summary>Creates the tables of <paramref name="layout"/>.</summary>
    public FeatureEmbedder(FeatureLayout layout, EmbedderOptions? options = null)
    {
        Layout = layout;
        Options = options ?? new EmbedderOptions();
        // Table sizes: the largest slot naming a table; dimensions must agree across sharers.
        var sizes = new Dictionary<string, (int Rows, int Dim, string First)>();
        foreach (var slot in layout.Slots)
        {
            if (slot.Block == FeatureBlock.Dense) continue;
            int dim = Options.Dim ?? slot.Feature.EmbeddingDim;
            string table = slot.Feature.Table;
            if (sizes.TryGetValue(table, out var s))
            {
                if (s.Dim != dim) throw new ArgumentException($"Features '{s.First}' and '{slot.Feature.Name}' share embedding table '{table}' but declare dimensions {s.Dim} and {dim}.");
                sizes[table] = (Math.Max(s.Rows, slot.TableSize), dim, s.First);
            }
            else sizes[table] = (slot.TableSize, dim, slot.Feature.Name);
        }
        ulong seed = Options.Seed;
        foreach (var (table, (rows, dim, _)) in sizes)
        {
            if (rows <= 0) throw new ArgumentException($"Embedding table '{table}' has no rows: was the encoder fitted?");
            var bag = new EmbeddingBag(new EmbeddingOptions(rows, dim, InitStd: Options.InitStd, Seed: seed++, Sparse: Options.SparseTables), BagMode.Sum);
            _tables[table] = RegisterModule(SanitizeName(table), bag);
        }
        foreach (var slot in layout.Slots)
            if (slot.Block != FeatureBlock.Dense) _byFeature[slot.Feature.Name] = _tables[slot.Feature.Table];
    }

    /// <summary>The layout the embedder was built for.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>The options.</summary>
    public EmbedderOptions Options { get; }

    /// <summary>Embedding dimension of a feature's table.</summary>
    public int DimOf(string feature) => TableOf(feature).Dim;

    /// <summary>The table a feature reads.</summary>
    public EmbeddingBag TableOf(string feature) => _byFeature.TryGetValue(feature, out var t) ? t
        : throw new KeyNotFoundException($"Feature '{feature}' has no embedding table (dense features have none).");

    /// <summary>Slots that are embedded (sparse and var-len), optionally filtered.</summary>
    public IReadOnlyList<FeatureSlot> EmbeddedSlots(Func<FeatureSpec, bool>? where = null) =>
        Layout.Slots.Where(s => s.Block != FeatureBlock.Dense && (where is null || where(s.Feature))).ToList();

    /// <summary>Dense slots, optionally filtered.</summary>
    public IReadOnlyList<FeatureSlot> DenseSlots(Func<FeatureSpec, bool>? where = null) =>
        Layout.Slots.Where(s => s.Block == FeatureBlock.Dense && (where is null || where(s.Feature))).ToList();

    /// <summary>One field's embedding. // (B, D)</summary>
    public Tensor Embed(ModelInput input, FeatureSlot slot)
    {
        var table = TableOf(slot.Feature.Name);
        if (slot.Block == FeatureBlock.Sparse)
        {
            // Width-W slots (MNS digits) are a fixed-length bag summed into one vector; W = 1 is a plain lookup.
            var ids = input.SparseIds(slot.Feature.Name);
            return table.Forward(ids);
        }
        var (flat, offsets) = input.VarLenIds(slot.Feature.Name);
        var mode = slot.Feature.Pooling switch { PoolingMode.Sum => BagMode.Sum, PoolingMode.Max => BagMode.Max, _ => BagMode.Mean };
        // Id 0 is missing/padding in the features layer's encoding: it contributes nothing to a pooled bag.
        return Ops.EmbeddingBag(table.Table, flat, offsets, mode, paddingId: 0);
    }

    /// <summary>Embeddings of several fields stacked on a field axis. // (B, F, D)</summary>
    public Tensor EmbedStacked(ModelInput input, IReadOnlyList<FeatureSlot> slots)
    {
        if (slots.Count == 0) throw new ArgumentException("EmbedStacked needs at least one slot.");
        var fields = new Tensor[slots.Count];
        for (int i = 0; i < fields.Length; i++) fields[i] = Ops.Unsqueeze(Embed(input, slots[i]), 1);
        return fields.Length == 1 ? fields[0] : Ops.Concat(fields, 1);
    }

    /// <summary>Embeddings of several fields concatenated on the last axis. // (B, Σ D)</summary>
    public Tensor EmbedConcat(ModelInput input, IReadOnlyList<FeatureSlot> slots)
    {
        if (slots.Count == 0) throw new ArgumentException("EmbedConcat needs at least one slot.");
        var fields = new Tensor[slots.Count];
        for (int i = 0; i < fields.Length; i++) fields[i] = Embed(input, slots[i]);
        return fields.Length == 1 ? fields[0] : Ops.Concat(fields, 1);
    }

    /// <summary>The values of the given dense slots, in order. // (B, n)</summary>
    public static Tensor DenseValues(ModelInput input, IReadOnlyList<FeatureSlot> slots)
    {
        var y = Tensor.Empty([input.Count, slots.Count]);
        var src = input.Dense.Span;
        var dst = y.Span;
        int width = input.Layout.DenseWidth;
        for (int r = 0; r < input.Count; r++)
            for (int j = 0; j < slots.Count; j++) dst[r * slots.Count + j] = src[r * width + slots[j].Offset];
        return y;
    }

    /// <summary>Parameters of the embedding tables (for L2 on embeddings and sparse optimizer groups).</summary>
    public IEnumerable<Parameter> TableParameters() => _tables.Values.Select(t => t.Table);

    private static string SanitizeName(string table) => table.Replace('.', '_');
}
