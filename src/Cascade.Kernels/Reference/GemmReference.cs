namespace Cascade.Kernels.Reference;

/// <summary>
/// Naive triple-loop SGEMM: the oracle that <see cref="Gemm"/> is tested against and the baseline of the benchmarks.
/// Row-major: C(m×n) = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
/// </summary>
public static class GemmReference
{
    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C in double precision accumulation, then rounds.</summary>
    /// <param name="transA">When true, A is stored k×m (leading dimension <paramref name="lda"/>) and used transposed.</param>
    /// <param name="transB">When true, B is stored n×k (leading dimension <paramref name="ldb"/>) and used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C (0 overwrites, 1 accumulates).</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                float prev = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum) + prev;
            }
        }
    }
}
