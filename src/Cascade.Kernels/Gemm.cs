using System.Numerics.Tensors;

namespace Cascade.Kernels;

/// <summary>
/// Single-precision GEMM on row-major spans: C(m×n) = alpha · op(A) · op(B) + beta · C.
/// op(A) is m×k (stored k×m when <c>transA</c>), op(B) is k×n (stored n×k when <c>transB</c>).
/// Forward of a linear layer is A·Bᵀ (weights stored out×in), its backward needs A·B and Aᵀ·B.
/// </summary>
public static class Gemm
{
    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C.</summary>
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
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * ldc, n);
            if (beta == 0f) ci.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(ci, beta, ci);
        }
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) return;

        if (transB && !transA)
        {
            // C[i,j] = A[i,:] · B[j,:]: both operands are contiguous rows.
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> ai = a.Slice(i * lda, k);
                Span<float> ci = c.Slice(i * ldc, n);
                for (int j = 0; j < n; j++) ci[j] += alpha * TensorPrimitives.Dot(ai, b.Slice(j * ldb, k));
            }
            return;
        }
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * ldc, n);
            for (int p = 0; p < k; p++)
            {
                float av = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                if (av == 0f) continue;
                if (!transB) TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), av, ci, ci);
                else for (int j = 0; j < n; j++) ci[j] += av * b[j * ldb + p];
            }
        }
    }

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be non-negative, got m={m} n={n} k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Check("A", aRows, aCols, aLen, lda);
        Check("B", bRows, bCols, bLen, ldb);
        Check("C", m, n, cLen, ldc);

        static void Check(string name, int rows, int cols, int len, int ld)
        {
            if (rows == 0 || cols == 0) return;
            if (ld < cols) throw new ArgumentException($"GEMM: leading dimension of {name} ({ld}) is smaller than its column count ({cols}).");
            long need = (long)(rows - 1) * ld + cols;
            if (len < need) throw new ArgumentException($"GEMM: {name} needs {need} elements for {rows}×{cols} with ld={ld}, but its span holds {len}.");
        }
    }
}
