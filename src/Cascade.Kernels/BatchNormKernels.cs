using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>
/// Row passes of batch normalisation over an (N × C) block, fused so each row is read and written once instead of
/// once per TensorPrimitives call (4 calls per row forward, 3 backward: at C = 300, N = 256 the call overheads were
/// most of the op). Every element goes through exactly the operations of the per-call form, in the same order and
/// without fused multiply-adds, so the results are bit-identical to it.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>
    /// h = (x − mean) · rstd, y = h · gain + bias per row (gain/bias may be empty = 1/0).
    /// x, h, y are (n × c); mean, rstd, gain, bias are (c).
    /// </summary>
    /// <param name="x">Input rows.</param>
    /// <param name="mean">Per-channel mean.</param>
    /// <param name="rstd">Per-channel 1/√(σ² + ε).</param>
    /// <param name="gain">γ, or empty for none.</param>
    /// <param name="bias">β, or empty for none.</param>
    /// <param name="n">Rows.</param>
    /// <param name="c">Channels.</param>
    /// <param name="h">Normalised x̂ (kept for the backward).</param>
    /// <param name="y">Output.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gain,
        ReadOnlySpan<float> bias, int n, int c, Span<float> h, Span<float> y)
    {
        long need = (long)n * c;
        if (x.Length < need || h.Length < need || y.Length < need || mean.Length < c || rstd.Length < c
            || (gain.Length != 0 && gain.Length < c) || (bias.Length != 0 && bias.Length < c))
            throw new ArgumentException($"BatchNormKernels.Forward: spans too short for ({n} × {c}).");
        bool hasGain = gain.Length != 0, hasBias = bias.Length != 0;
        ref float mu = ref MemoryMarshal.GetReference(mean);
        ref float rs = ref MemoryMarshal.GetReference(rstd);
        ref float ga = ref MemoryMarshal.GetReference(gain);
        ref float be = ref MemoryMarshal.GetReference(bias);
        for (int r = 0; r < n; r++)
        {
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)r * c);
            ref float hr = ref Unsafe.Add(ref MemoryMarshal.GetReference(h), (nint)r * c);
            ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), (nint)r * c);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= c; j += 16)
                {
                    var hv = (Vector512.LoadUnsafe(ref xr, (nuint)j) - Vector512.LoadUnsafe(ref mu, (nuint)j)) * Vector512.LoadUnsafe(ref rs, (nuint)j);
                    hv.StoreUnsafe(ref hr, (nuint)j);
                    var yv = hasGain ? hv * Vector512.LoadUnsafe(ref ga, (nuint)j) : hv;
                    if (hasBias) yv += Vector512.LoadUnsafe(ref be, (nuint)j);
                    yv.StoreUnsafe(ref yr, (nuint)j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= c; j += 8)
                {
                    var hv = (Vector256.LoadUnsafe(ref xr, (nuint)j) - Vector256.LoadUnsafe(ref mu, (nuint)j)) * Vector256.LoadUnsafe(ref rs, (nuint)j);
                    hv.StoreUnsafe(ref hr, (nuint)j);
                    var yv = hasGain ? hv * Vector256.LoadUnsafe(ref ga, (nuint)j) : hv;
                    if (hasBias) yv += Vector256.LoadUnsafe(ref be, (nuint)j);
                    yv.StoreUnsafe(ref yr, (nuint)j);
                }
            }
            for (; j < c; j++)
            {
                float hv = (Unsafe.Add(ref xr, j) - Unsafe.Add(ref mu, j)) * Unsafe.Add(ref rs, j);
                Unsafe.Add(ref hr, j) = hv;
                float yv = hasGain ? hv * Unsafe.Add(ref ga, j) : hv;
                if (hasBias) yv += Unsafe.Add(ref be, j);
                Unsafe.Add(ref yr, j) = yv;
            }
        }
    }

    /// <summary>
    /// Training-mode dx per row: dx += ((h · sumGhNeg + g) − sumGMean) · scale, where the caller has already scaled
    /// sumGMean = Σ dy / N and sumGhNeg = −Σ dy ⊙ x̂ / N, and scale = γ · rstd. (n × c) rows, (c) vectors.
    /// </summary>
    /// <param name="g">dy rows.</param>
    /// <param name="h">x̂ rows of the forward.</param>
    /// <param name="sumGMean">Σ dy / N per channel.</param>
    /// <param name="sumGhNeg">−Σ dy ⊙ x̂ / N per channel.</param>
    /// <param name="scale">γ · rstd per channel.</param>
    /// <param name="n">Rows.</param>
    /// <param name="c">Channels.</param>
    /// <param name="dx">Accumulated gradient rows.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardTraining(ReadOnlySpan<float> g, ReadOnlySpan<float> h, ReadOnlySpan<float> sumGMean, ReadOnlySpan<float> sumGhNeg,
        ReadOnlySpan<float> scale, int n, int c, Span<float> dx)
    {
        long need = (long)n * c;
        if (g.Length < need || h.Length < need || dx.Length < need || sumGMean.Length < c || sumGhNeg.Length < c || scale.Length < c)
            throw new ArgumentException($"BatchNormKernels.BackwardTraining: spans too short for ({n} × {c}).");
        ref float sg = ref MemoryMarshal.GetReference(sumGMean);
        ref float sh = ref MemoryMarshal.GetReference(sumGhNeg);
        ref float sc = ref MemoryMarshal.GetReference(scale);
        for (int r = 0; r < n; r++)
        {
            ref float gr = ref Unsafe.Add(ref MemoryMarshal.GetReference(g), (nint)r * c);
            ref float hr = ref Unsafe.Add(ref MemoryMarshal.GetReference(h), (nint)r * c);
            ref float dr = ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), (nint)r * c);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= c; j += 16)
                {
                    var t = Vector512.LoadUnsafe(ref hr, (nuint)j) * Vector512.LoadUnsafe(ref sh, (nuint)j) + Vector512.LoadUnsafe(ref gr, (nuint)j);
                    t -= Vector512.LoadUnsafe(ref sg, (nuint)j);
                    (t * Vector512.LoadUnsafe(ref sc, (nuint)j) + Vector512.LoadUnsafe(ref dr, (nuint)j)).StoreUnsafe(ref dr, (nuint)j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= c; j += 8)
                {
                    var t = Vector256.LoadUnsafe(ref hr, (nuint)j) * Vector256.LoadUnsafe(ref sh, (nuint)j) + Vector256.LoadUnsafe(ref gr, (nuint)j);
                    t -= Vector256.LoadUnsafe(ref sg, (nuint)j);
                    (t * Vector256.LoadUnsafe(ref sc, (nuint)j) + Vector256.LoadUnsafe(ref dr, (nuint)j)).StoreUnsafe(ref dr, (nuint)j);
                }
            }
            for (; j < c; j++)
            {
                float t = Unsafe.Add(ref hr, j) * Unsafe.Add(ref sh, j) + Unsafe.Add(ref gr, j);
                t -= Unsafe.Add(ref sg, j);
                Unsafe.Add(ref dr, j) = t * Unsafe.Add(ref sc, j) + Unsafe.Add(ref dr, j);
            }
        }
    }
}
