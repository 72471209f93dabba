using Cascade.Kernels;
using Cascade.Tensors;

namespace Cascade.Nn.Functional;

internal static partial class LayerOps
{
    /// <summary>
    /// Row lookup: ids (…) → (…, D) with out[i] = table[ids[i]] (zeros for <paramref name="paddingId"/>).
    /// Backward scatters rows of the gradient into the table gradient and marks the rows in
    /// <see cref="Parameter.TouchedRows"/> of a sparse table, which is what lazy optimizers update.
    /// </summary>
    public static Tensor EmbeddingLookup(Parameter table, ReadOnlySpan<int> idShape, int[] ids, int paddingId)
    {
        int dim = table.Value.Dim(1);
        var shape = new int[idShape.Length + 1];
        idShape.CopyTo(shape);
        shape[^1] = dim;
        var y = Tensor.Empty(shape);
        EmbeddingBag.Gather(table.Value.Span, dim, ids, paddingId, y.Span);
        var w = table.Value;
        if (Autograd.ShouldRecord(w))
        {
            y.Record("embedding", [w], g =>
            {
                EmbeddingBag.ScatterAdd(g.Span, dim, ids, paddingId, w.GradSpanForAccumulate());
                table.TouchedRows?.Mark(ids, paddingId);
            });
        }
        return y;
    }

    /// <summary>
    /// Pooled lookup of multi-hot bags: sample b owns ids[offsets[b] .. offsets[b + 1]); output (B, D) is their
    /// sum, mean or element-wise max (padding ids skipped; an empty bag gives zeros). Backward mirrors the pooling
    /// and marks every non-padding id as touched.
    /// </summary>
    public static Tensor EmbeddingBagLookup(Parameter table, int[] ids, int[] offsets, BagMode mode, int paddingId)
    {
        int dim = table.Value.Dim(1);
        int bags = offsets.Length - 1;
        var y = Tensor.Empty([bags, dim]);
        // Max pooling remembers the winning row per output element; sum and mean need no side buffer.
        int[] argMax = mode == BagMode.Max ? new int[bags * dim] : [];
        EmbeddingBag.Forward(table.Value.Span, dim, ids, offsets, mode, paddingId, y.Span, argMax);
        var w = table.Value;
        if (Autograd.ShouldRecord(w))
        {
            y.Record("embedding_bag", [w], g =>
            {
                EmbeddingBag.Backward(g.Span, dim, ids, offsets, mode, paddingId, argMax, w.GradSpanForAccumulate());
                table.TouchedRows?.Mark(ids.AsSpan(offsets[0], offsets[^1] - offsets[0]), paddingId);
            });
        }
        return y;
    }
}
