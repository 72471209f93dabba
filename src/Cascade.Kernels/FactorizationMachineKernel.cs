using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>
/// The FM second-order term (Rendle 2010, Eq. 5) fused over a (B, F, D) block of field embeddings:
/// y_b = 0.5 · Σ_d ((Σ_f e_bfd)² − Σ_f e_bfd²), and its gradient ∂y_b/∂e_bfd = Σ_f' e_bf'd − e_bfd.
/// One pass per row keeps the running sum and sum of squares of a D-chunk in registers (Vector512, Vector256, then
/// scalar for the tail), instead of the six tensor ops and five (B, D)/(B, F, D) intermediates of the composite
/// form. The backward recomputes Σ_f e (F·D adds per row, cheaper than storing a (B, D) buffer for it).
/// </summary>
public static class FactorizationMachineKernel
{
    /// <summary>y[b] = 0.5 · Σ_d ((Σ_f e[b,f,d])² − Σ_f e[b,f,d]²) (overwrites y).</summary>
    /// <param name="e">Field embeddings (B, F, D), row-major.</param>
    /// <param name="batch">B.</param>
    /// <param name="fields">F.</param>
    /// <param name="dim">D.</param>
    /// <param name="y">Output (B).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> e, int batch, int fields, int dim, Span<float> y)
    {
        Check(e.Length, batch, fields, dim, y.Length);
        ref float e0 = ref MemoryMarshal.GetReference(e);
        int row = fields * dim;
        for (int b = 0; b < batch; b++)
        {
            ref float eb = ref Unsafe.Add(ref e0, (nint)b * row);
            float total = 0f;
            int d = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var acc = Vector512<float>.Zero;
                for (; d + Vector512<float>.Count <= dim; d += Vector512<float>.Count)
                {
                    Vector512<float> s = Vector512<float>.Zero, q = Vector512<float>.Zero;
                    for (int f = 0; f < fields; f++)
                    {
                        var v = Vector512.LoadUnsafe(ref eb, (nuint)(f * dim + d));
                        s += v;
                        q = Vector512.FusedMultiplyAdd(v, v, q);
                    }
                    acc += Vector512.FusedMultiplyAdd(s, s, -q);
                }
                total = Vector512.Sum(acc);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var acc = Vector256<float>.Zero;
                for (; d + Vector256<float>.Count <= dim; d += Vector256<float>.Count)
                {
                    Vector256<float> s = Vector256<float>.Zero, q = Vector256<float>.Zero;
                    for (int f = 0; f < fields; f++)
                    {
                        var v = Vector256.LoadUnsafe(ref eb, (nuint)(f * dim + d));
                        s += v;
                        q = Vector256.FusedMultiplyAdd(v, v, q);
                    }
                    acc += Vector256.FusedMultiplyAdd(s, s, -q);
                }
                total += Vector256.Sum(acc);
            }
            for (; d < dim; d++)
            {
                float s = 0f, q = 0f;
                for (int f = 0; f < fields; f++)
                {
                    float v = Unsafe.Add(ref eb, f * dim + d);
                    s += v;
                    q += v * v;
                }
                total += s * s - q;
            }
            y[b] = 0.5f * total;
        }
    }

    /// <summary>de[b,f,d] += dy[b] · (Σ_f' e[b,f',d] − e[b,f,d]) (ACCUMULATES into de).</summary>
    /// <param name="e">Field embeddings (B, F, D) of the forward pass.</param>
    /// <param name="dy">Gradient of the output (B).</param>
    /// <param name="batch">B.</param>
    /// <param name="fields">F.</param>
    /// <param name="dim">D.</param>
    /// <param name="de">Gradient of e (B, F, D), accumulated.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> e, ReadOnlySpan<float> dy, int batch, int fields, int dim, Span<float> de)
    {
        Check(e.Length, batch, fields, dim, dy.Length);
        Check(de.Length, batch, fields, dim, dy.Length);
        ref float e0 = ref MemoryMarshal.GetReference(e);
        ref float g0 = ref MemoryMarshal.GetReference(de);
        int row = fields * dim;
        for (int b = 0; b < batch; b++)
        {
            ref float eb = ref Unsafe.Add(ref e0, (nint)b * row);
            ref float gb = ref Unsafe.Add(ref g0, (nint)b * row);
            float g = dy[b];
            int d = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var gv = Vector512.Create(g);
                for (; d + Vector512<float>.Count <= dim; d += Vector512<float>.Count)
                {
                    var s = Vector512<float>.Zero;
                    for (int f = 0; f < fields; f++) s += Vector512.LoadUnsafe(ref eb, (nuint)(f * dim + d));
                    for (int f = 0; f < fields; f++)
                    {
                        nuint at = (nuint)(f * dim + d);
                        var v = Vector512.LoadUnsafe(ref eb, at);
                        Vector512.FusedMultiplyAdd(gv, s - v, Vector512.LoadUnsafe(ref gb, at)).StoreUnsafe(ref gb, at);
                    }
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var gv = Vector256.Create(g);
                for (; d + Vector256<float>.Count <= dim; d += Vector256<float>.Count)
                {
                    var s = Vector256<float>.Zero;
                    for (int f = 0; f < fields; f++) s += Vector256.LoadUnsafe(ref eb, (nuint)(f * dim + d));
                    for (int f = 0; f < fields; f++)
                    {
                        nuint at = (nuint)(f * dim + d);
                        var v = Vector256.LoadUnsafe(ref eb, at);
                        Vector256.FusedMultiplyAdd(gv, s - v, Vector256.LoadUnsafe(ref gb, at)).StoreUnsafe(ref gb, at);
                    }
                }
            }
            for (; d < dim; d++)
            {
                float s = 0f;
                for (int f = 0; f < fields; f++) s += Unsafe.Add(ref eb, f * dim + d);
                for (int f = 0; f < fields; f++)
                {
                    int at = f * dim + d;
                    Unsafe.Add(ref gb, at) += g * (s - Unsafe.Add(ref eb, at));
                }
            }
        }
    }

    private static void Check(int eLen, int batch, int fields, int dim, int yLen)
    {
        if (batch < 0 || fields < 0 || dim < 0) throw new ArgumentOutOfRangeException(nameof(batch), $"FM: sizes must be non-negative, got B={batch} F={fields} D={dim}.");
        if (eLen < (long)batch * fields * dim) throw new ArgumentException($"FM: embeddings need B·F·D = {(long)batch * fields * dim} elements for ({batch}, {fields}, {dim}), got {eLen}.");
        if (yLen < batch) throw new ArgumentException($"FM: output/gradient needs {batch} elements, got {yLen}.");
    }
}
