using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>
/// SGEMM for tiny products (a few thousand multiply-adds, e.g. attention over 6 fields × 16 dims per head), same
/// contract as <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// but without packing or threading: <see cref="Gemm"/> packs a KC×NC panel and an MR×KC sliver and runs a full
/// 8×32 tile through a scratch buffer for every call, which for 6×6×16 costs ~10× the arithmetic. Here each row
/// of C is built directly: with B stored k×n, C_i = beta·C_i + Σ_p (alpha·op(A)_ip)·B_p (vector axpy along n);
/// with B stored n×k, C_ij = beta·C_ij + alpha·dot(A_i, B_j) (vector dot along k). Allocation-free.
/// </summary>
public static class SmallGemm
{
    /// <summary>Products up to this many multiply-adds are cheaper here than in <see cref="Gemm"/> (measured at 6×6×16 = 576).</summary>
    public const int MaxMacs = 1 << 14;

    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C; arguments as for <see cref="Gemm"/>.</summary>
    /// <param name="transA">A is stored k×m and used transposed.</param>
    /// <param name="transB">B is stored n×k and used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C: 0 overwrites (C may hold garbage), 1 accumulates.</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Gemm.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * ldc, n);
            if (beta == 0f) ci.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(ci, beta, ci);
            if (k == 0 || alpha == 0f) continue;
            if (!transB)
            {
                // B_p (row p of B, n wide) scaled by op(A)_ip, accumulated into C_i.
                for (int p = 0; p < k; p++)
                {
                    float s = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                    if (s != 0f) Axpy(s, ref MemoryMarshal.GetReference(b.Slice(p * ldb, n)), ref MemoryMarshal.GetReference(ci), n);
                }
            }
            else if (!transA)
            {
                ref float ai = ref MemoryMarshal.GetReference(a.Slice(i * lda, k));
                for (int j = 0; j < n; j++) ci[j] += alpha * Dot(ref ai, ref MemoryMarshal.GetReference(b.Slice(j * ldb, k)), k);
            }
            else
            {
                // Both transposed (no caller in the engine needs it fast): A's column i is strided, so plain loops.
                for (int j = 0; j < n; j++)
                {
                    float sum = 0f;
                    var bj = b.Slice(j * ldb, k);
                    for (int p = 0; p < k; p++) sum += a[p * lda + i] * bj[p];
                    ci[j] += alpha * sum;
                }
            }
        }
    }

    // Inlined vector loops rather than TensorPrimitives: at 16 floats a TensorPrimitives call's dispatch costs as
    // much as its arithmetic, and attention makes ~36 of them per product.

    /// <summary>Σ x_i·y_i over n floats: 512-bit FMA chunks, then 256-bit (AVX2 machines), then scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float x, ref float y, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), acc);
            sum = Vector512.Sum(acc);
        }
        if ((Simd.Use256 || Vector512.IsHardwareAccelerated) && n - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i), acc);
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        return sum;
    }

    /// <summary>y_i += s·x_i over n floats, with the same vector tiers as <see cref="Dot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float s, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var sv = Vector512.Create(s);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(sv, Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        if (Simd.Use256 || Vector512.IsHardwareAccelerated)
        {
            var sv = Vector256.Create(s);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(sv, Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) += s * Unsafe.Add(ref x, i);
    }
}
