using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Embedding lookup: y[i…, :] = table[ids[i…], :], zeros where ids[i…] == <paramref name="paddingId"/>.
    /// table (V, D), ids of any shape (…) → y (…, D).
    /// Backward scatter-adds dY rows into the table gradient (padding skipped) and records the rows written in
    /// <see cref="Tensor.TouchedRows"/> of a leaf table, so that a lazy sparse optimizer and
    /// <see cref="Tensor.ZeroGrad"/> touch only those rows. The table gradient is still a dense (V, D) tensor.
    /// The id array is read again by the backward pass: do not overwrite it before <see cref="Tensor.Backward()"/>.
    /// </summary>
    /// <param name="table">The (V, D) embedding table.</param>
    /// <param name="ids">Row ids in [0, V), or <paramref name="paddingId"/>.</param>
    /// <param name="paddingId">Id that yields a zero row and no gradient (−1 for none).</param>
    /// <exception cref="ArgumentException">An id outside [0, V) (the message names the id and its position).</exception>
    /// <example><code>var e = Ops.Embedding(items, ids, paddingId: 0);   // items (V, 16), ids (B, L) → (B, L, 16)</code></example>
    public static Tensor Embedding(Tensor table, IntTensor ids, int paddingId = -1)
    {
        CheckEmbeddingTable(table, "Embedding");
        int dim = table.Dim(1);
        ValidateEmbeddingIds(ids.Data, ids.Shape, table, paddingId, "Embedding");
        Span<int> shape = ids.Rank < 8 ? stackalloc int[ids.Rank + 1] : new int[ids.Rank + 1];
        ids.Shape.CopyTo(shape);
        shape[^1] = dim;
        var y = Tensor.Empty(shape);
        Kernels.EmbeddingBag.Gather(table.Span, dim, ids.Data, paddingId, y.Span);
        if (Autograd.ShouldRecord(table)) RecordEmbedding(table, ids.Data, paddingId, dim, y);
        return y;
    }

    // Closures only when recording (C# allocates captured state on entry to the declaring method).
    private static void RecordEmbedding(Tensor table, int[] idData, int paddingId, int dim, Tensor y)
    {
        var touched = table.EnsureTouchedRows();
        y.Record("embedding", [table], g =>
        {
            Kernels.EmbeddingBag.ScatterAdd(g.Span, dim, idData, paddingId, table.GradSpanForSparseAccumulate());
            touched?.AddRange(idData, paddingId);
        });
    }

    /// <summary>
    /// Pooled multi-hot lookup: y[b, :] = pool over j in [offsets[b], offsets[b+1]) of table[ids[j], :], skipping
    /// <paramref name="paddingId"/>. table (V, D), ids (T) flat, offsets (B + 1) with offsets[0] = 0 and
    /// offsets[B] = T, non-decreasing → y (B, D). Sum: Σ rows; Mean: Σ rows / count of non-padding ids;
    /// Max: element-wise max (backward routes to the arg-max row). An empty bag gives zeros.
    /// Touched rows are recorded as in <see cref="Embedding"/> (for Max, only rows that won some element).
    /// </summary>
    /// <example><code>var bag = Ops.EmbeddingBag(tags, ids, offsets, BagMode.Mean);   // → (B, D)</code></example>
    public static Tensor EmbeddingBag(Tensor table, IntTensor ids, IntTensor offsets, BagMode mode = BagMode.Sum, int paddingId = -1)
    {
        CheckEmbeddingTable(table, "EmbeddingBag");
        if (ids.Rank != 1) throw new ArgumentException($"EmbeddingBag ids must be flat (T), got {ShapeUtil.Format(ids.Shape)}.");
        if (offsets.Rank != 1 || offsets.Size < 1) throw new ArgumentException($"EmbeddingBag offsets must be (B + 1), got {ShapeUtil.Format(offsets.Shape)}.");
        var off = offsets.Data;
        if (off[0] != 0) throw new ArgumentException($"EmbeddingBag offsets[0] must be 0, got {off[0]}.");
        if (off[^1] != ids.Size) throw new ArgumentException($"EmbeddingBag offsets[{off.Length - 1}] must equal the id count {ids.Size}, got {off[^1]}.");
        for (int b = 1; b < off.Length; b++)
            if (off[b] < off[b - 1]) throw new ArgumentException($"EmbeddingBag offsets must be non-decreasing: offsets[{b}] = {off[b]} < offsets[{b - 1}] = {off[b - 1]}.");
        ValidateEmbeddingIds(ids.Data, ids.Shape, table, paddingId, "EmbeddingBag");
        int bags = off.Length - 1, dim = table.Dim(1);
        var y = Tensor.Empty([bags, dim]);
        int[] argMax = mode == BagMode.Max ? new int[bags * dim] : [];
        Kernels.EmbeddingBag.Forward(table.Span, dim, ids.Data, off, mode, paddingId, y.Span, argMax);
        if (Autograd.ShouldRecord(table)) RecordEmbeddingBag(table, ids.Data, off, mode, paddingId, argMax, dim, y);
        return y;
    }

    private static void RecordEmbeddingBag(Tensor table, int[] idData, int[] off, BagMode mode, int paddingId, int[] argMax, int dim, Tensor y)
    {
        var touched = table.EnsureTouchedRows();
        y.Record("embedding_bag", [table], g =>
        {
            Kernels.EmbeddingBag.Backward(g.Span, dim, idData, off, mode, paddingId, argMax, table.GradSpanForSparseAccumulate());
            if (touched is null) return;
            if (mode == BagMode.Max) touched.AddRange(argMax, -1);
            else touched.AddRange(idData, paddingId);
        });
    }

    /// <summary>
    /// <see cref="EmbeddingBag(Tensor, IntTensor, IntTensor, BagMode, int)"/> with per-sample bag sizes:
    /// lengths (B), non-negative, summing to the id count T.
    /// </summary>
    public static Tensor EmbeddingBagByLengths(Tensor table, IntTensor ids, IntTensor lengths, BagMode mode = BagMode.Sum, int paddingId = -1)
    {
        if (lengths.Rank != 1) throw new ArgumentException($"EmbeddingBag lengths must be (B), got {ShapeUtil.Format(lengths.Shape)}.");
        var offsets = IntTensor.Empty([lengths.Size + 1]); // from the active arena when there is one
        var off = offsets.Data;
        off[0] = 0;
        for (int b = 0; b < lengths.Size; b++)
        {
            int len = lengths.Data[b];
            if (len < 0) throw new ArgumentException($"EmbeddingBag lengths[{b}] = {len} is negative.");
            off[b + 1] = checked(off[b] + len);
        }
        if (off[^1] != ids.Size) throw new ArgumentException($"EmbeddingBag lengths sum to {off[^1]} but there are {ids.Size} ids.");
        return EmbeddingBag(table, ids, offsets, mode, paddingId);
    }

    private static void CheckEmbeddingTable(Tensor table, string op)
    {
        if (table.Rank != 2) throw new ArgumentException($"{op} table {table.Name} must be (V, D), got {ShapeUtil.Format(table.Shape)}.");
    }

    private static void ValidateEmbeddingIds(ReadOnlySpan<int> ids, ReadOnlySpan<int> shape, Tensor table, int paddingId, string op)
    {
        uint v = (uint)table.Dim(0);
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id < v || id == paddingId) continue;
            throw new ArgumentException($"{op}{(table.Name is null ? "" : $" '{table.Name}'")}: id {id} at position {FusedOpSupport.FormatPosition(i, shape)} is outside [0, {v})"
                + $" and is not the padding id {paddingId}.");
        }
    }
}
