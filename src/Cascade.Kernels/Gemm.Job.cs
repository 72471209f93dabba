namespace Cascade.Kernels;

/// <summary>One GEMM problem on pinned storage; <see cref="RowBlock"/>/<see cref="ColumnBlock"/> cut it into the
/// independent sub-problems the threads run.</summary>
internal readonly unsafe struct GemmJob
{
    public readonly bool TransA, TransB;
    public readonly int M, N, K, Lda, Ldb, Ldc;
    public readonly float Alpha, Beta;
    public readonly float* A, B, C;

    public GemmJob(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        TransA = transA; TransB = transB; M = m; N = n; K = k; Alpha = alpha; A = a; Lda = lda; B = b; Ldb = ldb; Beta = beta; C = c; Ldc = ldc;
    }

    /// <summary>Rows [i0, i0 + rows) of C: A moves down its rows (or across its columns when transposed).</summary>
    public GemmJob RowBlock(int i0, int rows)
        => new(TransA, TransB, rows, N, K, Alpha, TransA ? A + i0 : A + (long)i0 * Lda, Lda, B, Ldb, Beta, C + (long)i0 * Ldc, Ldc);

    /// <summary>Columns [j0, j0 + cols) of C: B moves across its columns (or down its rows when transposed).</summary>
    public GemmJob ColumnBlock(int j0, int cols)
        => new(TransA, TransB, M, cols, K, Alpha, A, Lda, TransB ? B + (long)j0 * Ldb : B + j0, Ldb, Beta, C + j0, Ldc);
}
