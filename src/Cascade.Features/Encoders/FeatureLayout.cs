using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

/// <summary>Where one feature's encoded values live in a sample.</summary>
public enum FeatureBlock
{
    /// <summary>Fixed-width int ids in the sparse block (sparse, bucketized, MNS, similarity, LSH).</summary>
    Sparse,
    /// <summary>One float in the dense block.</summary>
    Dense,
    /// <summary>A variable-length id list (values + offsets); sequences also carry timestamps.</summary>
    VarLen,
}

/// <summary>Position of one feature in the encoded sample.</summary>
/// <param name="Feature">The declaration.</param>
/// <param name="Block">Which block.</param>
/// <param name="Offset">Column offset in the sparse or dense block, or the var-len column index.</param>
/// <param name="Width">Ids per sample in the sparse block (1, or Σ K_b for MNS codes); 1 for dense; max length for var-len.</param>
/// <param name="TableSize">Rows the model's embedding table needs (0 for dense); id 0 is missing/OOV/padding.</param>
public sealed record FeatureSlot(FeatureSpec Feature, FeatureBlock Block, int Offset, int Width, int TableSize);

/// <summary>
/// The encoded shape of a schema: a sparse block of <see cref="SparseWidth"/> int ids per sample (N, Ws), a dense
/// block of <see cref="DenseWidth"/> floats (N, Fd), and <see cref="VarLenCount"/> var-len id columns.
/// </summary>
public sealed class FeatureLayout
{
    /// <summary>One slot per feature, in schema order.</summary>
    public IReadOnlyList<FeatureSlot> Slots { get; }
    /// <summary>Ids per sample in the sparse block (Ws).</summary>
    public int SparseWidth { get; }
    /// <summary>Floats per sample in the dense block (Fd).</summary>
    public int DenseWidth { get; }
    /// <summary>Number of var-len columns.</summary>
    public int VarLenCount { get; }

    /// <summary>Builds the layout; <paramref name="sizes"/> gives each feature's sparse width and fitted table size.</summary>
    public FeatureLayout(IReadOnlyList<FeatureSpec> features, Func<FeatureSpec, (int Width, int TableSize)> sizes)
    {
        var slots = new List<FeatureSlot>();
        int ws = 0, fd = 0, vl = 0;
        foreach (var f in features)
        {
            var (w, t) = sizes(f);
            switch (f.Kind)
            {
                case FeatureKind.Dense: slots.Add(new FeatureSlot(f, FeatureBlock.Dense, fd++, 1, 0)); break;
                case FeatureKind.MultiHot or FeatureKind.Sequence: slots.Add(new FeatureSlot(f, FeatureBlock.VarLen, vl++, f.MaxLength, t)); break;
                default: slots.Add(new FeatureSlot(f, FeatureBlock.Sparse, ws, w, t)); ws += w; break;
            }
        }
        Slots = slots; SparseWidth = ws; DenseWidth = fd; VarLenCount = vl;
    }

    /// <summary>The slot of a feature by name.</summary>
    public FeatureSlot this[string name] => Slots.FirstOrDefault(s => s.Feature.Name == name)
        ?? throw new KeyNotFoundException($"no feature named '{name}' in the layout.");
}
