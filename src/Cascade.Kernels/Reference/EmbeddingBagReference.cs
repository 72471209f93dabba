namespace Cascade.Kernels.Reference;

/// <summary>
/// Embedding lookups over a row-major table (V × D): single-id gather/scatter and multi-hot bags with offsets
/// (sample b owns ids[offsets[b] .. offsets[b + 1]), so offsets has B + 1 entries). Ids equal to
/// <c>paddingId</c> (use −1 for none) contribute nothing. Ids must be in [0, V); callers validate at the boundary.
/// Backward kernels ACCUMULATE into the table gradient.
/// Naive scalar twin of <see cref="Cascade.Kernels.EmbeddingBag"/>: the test oracle and benchmark baseline.
/// </summary>
public static class EmbeddingBagReference
{
    /// <summary>output[i, :] = table[ids[i], :] (or zeros for the padding id). output is (ids.Length × dim).</summary>
    public static void Gather(ReadOnlySpan<float> table, int dim, ReadOnlySpan<int> ids, int paddingId, Span<float> output)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            var dst = output.Slice(i * dim, dim);
            if (ids[i] == paddingId) dst.Clear();
            else table.Slice(ids[i] * dim, dim).CopyTo(dst);
        }
    }

    /// <summary>tableGrad[ids[i], :] += grad[i, :] (padding ids skipped).</summary>
    public static void ScatterAdd(ReadOnlySpan<float> grad, int dim, ReadOnlySpan<int> ids, int paddingId, Span<float> tableGrad)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] == paddingId) continue;
            var dst = tableGrad.Slice(ids[i] * dim, dim);
            var src = grad.Slice(i * dim, dim);
            for (int d = 0; d < dim; d++) dst[d] += src[d];
        }
    }

    /// <summary>
    /// output[b, :] = pool(table[ids[offsets[b]..offsets[b+1]], :]). For <see cref="BagMode.Max"/>, argMax
    /// (B × D) receives the id chosen per element (−1 for an empty bag); otherwise it may be empty.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> table, int dim, ReadOnlySpan<int> ids, ReadOnlySpan<int> offsets,
        BagMode mode, int paddingId, Span<float> output, Span<int> argMax)
    {
        int bags = offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            var dst = output.Slice(b * dim, dim);
            dst.Clear();
            int count = 0;
            if (mode == BagMode.Max) argMax.Slice(b * dim, dim).Fill(-1);
            for (int j = offsets[b]; j < offsets[b + 1]; j++)
            {
                int id = ids[j];
                if (id == paddingId) continue;
                var row = table.Slice(id * dim, dim);
                if (mode == BagMode.Max)
                {
                    var am = argMax.Slice(b * dim, dim);
                    for (int d = 0; d < dim; d++)
                        if (count == 0 || row[d] > dst[d]) { dst[d] = row[d]; am[d] = id; }
                }
                else
                {
                    for (int d = 0; d < dim; d++) dst[d] += row[d];
                }
                count++;
            }
            if (mode == BagMode.Mean && count > 0)
            {
                float inv = 1f / count;
                for (int d = 0; d < dim; d++) dst[d] *= inv;
            }
        }
    }

    /// <summary>Accumulates the bag gradient (B × D) into tableGrad (V × D), mirroring <see cref="Forward"/>.</summary>
    public static void Backward(ReadOnlySpan<float> gradOutput, int dim, ReadOnlySpan<int> ids, ReadOnlySpan<int> offsets,
        BagMode mode, int paddingId, ReadOnlySpan<int> argMax, Span<float> tableGrad)
    {
        int bags = offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            var g = gradOutput.Slice(b * dim, dim);
            if (mode == BagMode.Max)
            {
                var am = argMax.Slice(b * dim, dim);
                for (int d = 0; d < dim; d++) if (am[d] >= 0) tableGrad[am[d] * dim + d] += g[d];
                continue;
            }
            int count = 0;
            for (int j = offsets[b]; j < offsets[b + 1]; j++) if (ids[j] != paddingId) count++;
            if (count == 0) continue;
            float scale = mode == BagMode.Mean ? 1f / count : 1f;
            for (int j = offsets[b]; j < offsets[b + 1]; j++)
            {
                if (ids[j] == paddingId) continue;
                var dst = tableGrad.Slice(ids[j] * dim, dim);
                for (int d = 0; d < dim; d++) dst[d] += scale * g[d];
            }
        }
    }
}
