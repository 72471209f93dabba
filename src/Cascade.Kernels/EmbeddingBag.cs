using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>Pooling of an embedding bag: how the rows of one sample's ids combine.</summary>
public enum BagMode
{
    /// <summary>Σ rows.</summary>
    Sum,
    /// <summary>Σ rows / count (count = ids that are not the padding id; an empty bag gives zeros).</summary>
    Mean,
    /// <summary>Element-wise max over rows (an empty bag gives zeros); backward routes to the arg-max row.</summary>
    Max,
}

/// <summary>
/// Embedding lookups over a row-major table (V × D): single-id gather/scatter and multi-hot bags with offsets
/// (sample b owns ids[offsets[b] .. offsets[b + 1]), so offsets has B + 1 entries). Ids equal to
/// <c>paddingId</c> (use −1 for none) contribute nothing. Ids must be in [0, V); callers validate at the boundary.
/// Backward kernels ACCUMULATE into the table gradient. Row work is vectorised (TensorPrimitives adds, a
/// Vector512/Vector256 max-with-arg-max); naive twins: <see cref="Reference.EmbeddingBagReference"/>.
/// </summary>
public static class EmbeddingBag
{
    /// <summary>output[i, :] = table[ids[i], :] (or zeros for the padding id). output is (ids.Length × dim).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(ReadOnlySpan<float> grad, int dim, ReadOnlySpan<int> ids, int paddingId, Span<float> tableGrad)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] == paddingId) continue;
            var dst = tableGrad.Slice(ids[i] * dim, dim);
            TensorPrimitives.Add(dst, grad.Slice(i * dim, dim), dst);
        }
    }

    /// <summary>
    /// output[b, :] = pool(table[ids[offsets[b]..offsets[b+1]], :]). For <see cref="BagMode.Max"/>, argMax
    /// (B × D) receives the id chosen per element (−1 for an empty bag); otherwise it may be empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> table, int dim, ReadOnlySpan<int> ids, ReadOnlySpan<int> offsets,
        BagMode mode, int paddingId, Span<float> output, Span<int> argMax)
    {
        int bags = offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            var dst = output.Slice(b * dim, dim);
            var am = mode == BagMode.Max ? argMax.Slice(b * dim, dim) : default;
            int count = 0;
            for (int j = offsets[b]; j < offsets[b + 1]; j++)
            {
                int id = ids[j];
                if (id == paddingId) continue;
                var row = table.Slice(id * dim, dim);
                if (count == 0)
                {
                    // The first row initialises the bag: one copy instead of clear-then-add.
                    row.CopyTo(dst);
                    if (mode == BagMode.Max) am.Fill(id);
                }
                else if (mode == BagMode.Max) MaxWithArg(row, id, dst, am);
                else TensorPrimitives.Add(dst, row, dst);
                count++;
            }
            if (count == 0)
            {
                dst.Clear();
                if (mode == BagMode.Max) am.Fill(-1);
            }
            else if (mode == BagMode.Mean) TensorPrimitives.Multiply(dst, 1f / count, dst);
        }
    }

    /// <summary>Accumulates the bag gradient (B × D) into tableGrad (V × D), mirroring <see cref="Forward"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> gradOutput, int dim, ReadOnlySpan<int> ids, ReadOnlySpan<int> offsets,
        BagMode mode, int paddingId, ReadOnlySpan<int> argMax, Span<float> tableGrad)
    {
        int bags = offsets.Length - 1;
        for (int b = 0; b < bags; b++)
        {
            var g = gradOutput.Slice(b * dim, dim);
            if (mode == BagMode.Max)
            {
                // Scattered single elements (each d may route to a different row): nothing to vectorise.
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
                if (scale == 1f) TensorPrimitives.Add(dst, g, dst);
                else TensorPrimitives.MultiplyAdd(g, scale, dst, dst);
            }
        }
    }

    /// <summary>Where row[d] &gt; dst[d]: dst[d] = row[d], am[d] = id (strict, so ties keep the earlier row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxWithArg(ReadOnlySpan<float> row, int id, Span<float> dst, Span<int> am)
    {
        ref float rr = ref MemoryMarshal.GetReference(row);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        ref int ar = ref MemoryMarshal.GetReference(am);
        nuint i = 0, len = (nuint)row.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            var vid = Vector512.Create(id);
            for (; i + 16 <= len; i += 16)
            {
                var r = Vector512.LoadUnsafe(ref rr, i); var d = Vector512.LoadUnsafe(ref dr, i);
                var gt = Vector512.GreaterThan(r, d);
                Vector512.ConditionalSelect(gt, r, d).StoreUnsafe(ref dr, i);
                Vector512.ConditionalSelect(gt.AsInt32(), vid, Vector512.LoadUnsafe(ref ar, i)).StoreUnsafe(ref ar, i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vid = Vector256.Create(id);
            for (; i + 8 <= len; i += 8)
            {
                var r = Vector256.LoadUnsafe(ref rr, i); var d = Vector256.LoadUnsafe(ref dr, i);
                var gt = Vector256.GreaterThan(r, d);
                Vector256.ConditionalSelect(gt, r, d).StoreUnsafe(ref dr, i);
                Vector256.ConditionalSelect(gt.AsInt32(), vid, Vector256.LoadUnsafe(ref ar, i)).StoreUnsafe(ref ar, i);
            }
        }
        for (; i < len; i++)
        {
            float r = Unsafe.Add(ref rr, i);
            if (r > Unsafe.Add(ref dr, i)) { Unsafe.Add(ref dr, i) = r; Unsafe.Add(ref ar, i) = id; }
        }
    }
}
