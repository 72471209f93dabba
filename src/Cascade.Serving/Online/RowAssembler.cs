using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Serving.Online;

/// <summary>
/// Builds model batches from one encoded user row and many encoded ad rows: item-side slots come from the ad,
/// user and context slots from the request. Copies spans only; the <see cref="Batch"/> is reused across requests.
/// </summary>
public sealed class RowAssembler
{
    private readonly FeatureLayout _layout;
    private readonly (int Offset, int Width, bool FromAd)[] _sparse;
    private readonly (int Offset, bool FromAd)[] _dense;
    private readonly (int Column, bool FromAd)[] _varLen;
    private readonly int[] _varLenWidth;

    /// <summary>Precomputes the slot ranges of <paramref name="layout"/>.</summary>
    public RowAssembler(FeatureLayout layout)
    {
        _layout = layout;
        var sparse = new List<(int, int, bool)>();
        var dense = new List<(int, bool)>();
        var varLen = new List<(int, bool)>();
        var widths = new List<int>();
        foreach (var s in layout.Slots)
        {
            bool ad = s.Feature.Side == FeatureSide.Item;
            switch (s.Block)
            {
                case FeatureBlock.Sparse: sparse.Add((s.Offset, s.Width, ad)); break;
                case FeatureBlock.Dense: dense.Add((s.Offset, ad)); break;
                case FeatureBlock.VarLen: varLen.Add((s.Offset, ad)); break;
            }
        }
        _sparse = sparse.ToArray();
        _dense = dense.ToArray();
        _varLen = varLen.OrderBy(v => v.Item1).ToArray();
        _varLenWidth = layout.Slots.Where(s => s.Block == FeatureBlock.VarLen).OrderBy(s => s.Offset).Select(s => s.Width).ToArray();
    }

    /// <summary>A batch buffer for up to <paramref name="capacity"/> rows of this layout.</summary>
    public Batch NewBatch(int capacity)
    {
        var varLen = _varLenWidth.Select(w => new VarLenBatch(capacity, capacity * w, false)).ToArray();
        return new Batch(capacity, _layout.SparseWidth, _layout.DenseWidth, varLen);
    }

    /// <summary>Starts a batch: zero rows.</summary>
    public static void Reset(Batch batch)
    {
        batch.Count = 0;
        foreach (var v in batch.VarLen) v.Offsets[0] = 0;
    }

    /// <summary>Appends the row (user slots from <paramref name="user"/>, ad slots from <paramref name="ad"/>).</summary>
    public void Append(Batch batch, EncodedRow user, EncodedRow ad)
    {
        int r = batch.Count;
        int ws = _layout.SparseWidth, wd = _layout.DenseWidth;
        var dstSparse = batch.Sparse.AsSpan(r * ws, ws);
        foreach (var (offset, width, fromAd) in _sparse)
            (fromAd ? ad.Sparse : user.Sparse).AsSpan(offset, width).CopyTo(dstSparse.Slice(offset, width));
        var dstDense = batch.Dense.AsSpan(r * wd, wd);
        foreach (var (offset, fromAd) in _dense) dstDense[offset] = (fromAd ? ad.Dense : user.Dense)[offset];
        foreach (var (column, fromAd) in _varLen)
        {
            var src = fromAd ? ad : user;
            var vb = batch.VarLen[column];
            int start = vb.Offsets[r], n = src.VarLenLength[column];
            src.VarLen[column].AsSpan(0, n).CopyTo(vb.Values.AsSpan(start, n));
            vb.Offsets[r + 1] = start + n;
        }
        batch.Weights[r] = 1f;
        batch.Labels[r] = 0f;
        batch.UserIds[r] = 0;
        batch.Count = r + 1;
    }
}
