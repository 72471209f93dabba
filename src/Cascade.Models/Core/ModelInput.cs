using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Tensors;

namespace Cascade.Models;

/// <summary>
/// One batch as engine tensors, cut per feature slot: every model reads its inputs from here, in training, batch
/// inference and serving alike. Built from a <see cref="Batch"/> of the features layer by <see cref="FromBatch"/>.
/// </summary>
public sealed class ModelInput
{
    private readonly Dictionary<string, IntTensor> _sparse;
    private readonly Dictionary<string, (IntTensor Ids, IntTensor Offsets)> _varLen;
    private readonly Dictionary<string, int> _denseColumn;
    private bool _owned;

    private ModelInput(FeatureLayout layout, int count, Dictionary<string, IntTensor> sparse,
        Dictionary<string, (IntTensor, IntTensor)> varLen, Tensor dense, Dictionary<string, int> denseColumn, Tensor labels, Tensor weights, int[] userIds)
    {
        Layout = layout;
        Count = count;
        _sparse = sparse;
        _varLen = varLen;
        Dense = dense;
        _denseColumn = denseColumn;
        Labels = labels;
        Weights = weights;
        UserIds = userIds;
    }

    /// <summary>The encoded layout the batch follows.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>Rows in the batch (B).</summary>
    public int Count { get; }

    /// <summary>All dense features in layout order. // (B, Fd)</summary>
    public Tensor Dense { get; }

    /// <summary>Labels. // (B)</summary>
    public Tensor Labels { get; }

    /// <summary>Sample weights (ones when the dataset has none). // (B)</summary>
    public Tensor Weights { get; }

    /// <summary>User ids for GAUC grouping. // (B)</summary>
    public int[] UserIds { get; }

    /// <summary>Ids of a sparse slot. // (B, W) with W = 1 for plain ids, Σ digits for MNS codes</summary>
    public IntTensor SparseIds(string feature) => _sparse.TryGetValue(feature, out var t) ? t
        : throw new KeyNotFoundException($"Feature '{feature}' is not a sparse feature of this batch (sparse: {string.Join(", ", _sparse.Keys)}).");

    /// <summary>Flat ids and offsets (B + 1) of a multi-hot or sequence slot.</summary>
    public (IntTensor Ids, IntTensor Offsets) VarLenIds(string feature) => _varLen.TryGetValue(feature, out var t) ? t
        : throw new KeyNotFoundException($"Feature '{feature}' is not a var-len feature of this batch (var-len: {string.Join(", ", _varLen.Keys)}).");

    /// <summary>Column index of a dense feature inside <see cref="Dense"/>.</summary>
    public int DenseColumn(string feature) => _denseColumn.TryGetValue(feature, out var c) ? c
        : throw new KeyNotFoundException($"Feature '{feature}' is not a dense feature of this batch.");

    /// <summary>
    /// Copies the valid rows of <paramref name="batch"/> into tensors (tensor buffers come from the active
    /// <see cref="TensorArena"/> when there is one; id arrays are exact-size copies because index tensors own their data).
    /// </summary>
    public static ModelInput FromBatch(Batch batch, FeatureLayout layout) => Build(batch, layout, owned: false);

    /// <summary>
    /// Like <see cref="FromBatch(Batch, FeatureLayout)"/> but every buffer is owned by the input (none comes from a
    /// <see cref="TensorArena"/>), so it can outlive an arena scope and be refilled with <see cref="TryRefill"/>: the
    /// serving cascade keeps one per pooled scratch and allocates nothing per request for same-shaped batches.
    /// </summary>
    public static ModelInput FromBatchOwned(Batch batch, FeatureLayout layout) => Build(batch, layout, owned: true);

    /// <summary>
    /// Copies <paramref name="batch"/> into this input's buffers when it has the same shape (rows, and values of every
    /// var-len slot, since index tensors are exact-size) and returns true; returns false, changing nothing, otherwise.
    /// Only for inputs made by <see cref="FromBatchOwned"/> (arena buffers are recycled when their scope ends).
    /// </summary>
    public bool TryRefill(Batch batch)
    {
        if (!_owned) throw new InvalidOperationException("TryRefill needs an input made by FromBatchOwned (this one's buffers belong to an arena).");
        int b = batch.Count;
        if (b != Count || batch.SparseWidth != Layout.SparseWidth || batch.DenseWidth != Layout.DenseWidth || batch.VarLen.Count != Layout.VarLenCount) return false;
        foreach (var slot in Layout.Slots)
        {
            if (slot.Block != FeatureBlock.VarLen) continue;
            var col = batch.VarLen[slot.Offset];
            if (col.Offsets[b] - col.Offsets[0] != _varLen[slot.Feature.Name].Ids.Size) return false;
        }
        var src = batch.SparseSpan;
        foreach (var slot in Layout.Slots)
        {
            switch (slot.Block)
            {
                case FeatureBlock.Sparse:
                {
                    var ids = _sparse[slot.Feature.Name].Data;
                    for (int r = 0; r < b; r++) src.Slice(r * Layout.SparseWidth + slot.Offset, slot.Width).CopyTo(ids.AsSpan(r * slot.Width));
                    break;
                }
                case FeatureBlock.VarLen:
                {
                    var col = batch.VarLen[slot.Offset];
                    var (ids, offsets) = _varLen[slot.Feature.Name];
                    int start = col.Offsets[0];
                    for (int i = 0; i <= b; i++) offsets.Data[i] = col.Offsets[i] - start;
                    col.Values.AsSpan(start, ids.Size).CopyTo(ids.Data);
                    break;
                }
            }
        }
        batch.DenseSpan.CopyTo(Dense.Span);
        batch.LabelSpan.CopyTo(Labels.Span);
        batch.Weights.AsSpan(0, b).CopyTo(Weights.Span);
        batch.UserIds.AsSpan(0, b).CopyTo(UserIds);
        return true;
    }

    private static ModelInput Build(Batch batch, FeatureLayout layout, bool owned)
    {
        int b = batch.Count;
        if (batch.SparseWidth != layout.SparseWidth || batch.DenseWidth != layout.DenseWidth || batch.VarLen.Count != layout.VarLenCount)
            throw new ArgumentException($"Batch shape (sparse {batch.SparseWidth}, dense {batch.DenseWidth}, var-len {batch.VarLen.Count}) does not match the layout (sparse {layout.SparseWidth}, dense {layout.DenseWidth}, var-len {layout.VarLenCount}).");
        var sparse = new Dictionary<string, IntTensor>();
        var varLen = new Dictionary<string, (IntTensor, IntTensor)>();
        var denseColumn = new Dictionary<string, int>();
        var src = batch.SparseSpan;
        foreach (var slot in layout.Slots)
        {
            switch (slot.Block)
            {
                case FeatureBlock.Sparse:
                {
                    var ids = new int[b * slot.Width];
                    for (int r = 0; r < b; r++) src.Slice(r * layout.SparseWidth + slot.Offset, slot.Width).CopyTo(ids.AsSpan(r * slot.Width));
                    sparse[slot.Feature.Name] = new IntTensor(ids, [b, slot.Width]);
                    break;
                }
                case FeatureBlock.VarLen:
                {
                    var col = batch.VarLen[slot.Offset];
                    var offsets = col.Offsets.AsSpan(0, b + 1).ToArray();
                    int start = offsets[0];
                    if (start != 0) for (int i = 0; i <= b; i++) offsets[i] -= start;
                    var ids = col.Values.AsSpan(start, offsets[b]).ToArray();
                    varLen[slot.Feature.Name] = (IntTensor.FromArray(ids), IntTensor.FromArray(offsets));
                    break;
                }
                case FeatureBlock.Dense:
                    denseColumn[slot.Feature.Name] = slot.Offset;
                    break;
            }
        }
        Tensor New(ReadOnlySpan<int> shape) => owned ? Tensor.FromArray(new float[shape[0] * (shape.Length > 1 ? shape[1] : 1)], shape) : Tensor.Empty(shape);
        var dense = New([b, layout.DenseWidth]);
        batch.DenseSpan.CopyTo(dense.Span);
        var labels = New([b]);
        batch.LabelSpan.CopyTo(labels.Span);
        var weights = New([b]);
        batch.Weights.AsSpan(0, b).CopyTo(weights.Span);
        return new ModelInput(layout, b, sparse, varLen, dense, denseColumn, labels, weights, batch.UserIds.AsSpan(0, b).ToArray()) { _owned = owned };
    }
}
