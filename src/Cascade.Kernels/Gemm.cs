namespace Cascade.Kernels;

/// <summary>
/// Single-precision GEMM on row-major spans: C(m×n) = alpha · op(A) · op(B) + beta · C.
/// op(A) is m×k (stored k×m when <c>transA</c>), op(B) is k×n (stored n×k when <c>transB</c>).
/// Forward of a linear layer is A·Bᵀ (weights stored out×in), its backward needs A·B and Aᵀ·B.
/// </summary>
/// <remarks>
/// Implementation (docs/design/kernels.md): B is packed into a KC×NC panel of NR-wide slivers, A into MR×KC slivers
/// (alpha folded in), and a register-blocked micro-kernel (8×32 with Vector512, 6×16 with Vector256, 4×8 scalar)
/// accumulates one MR×NR tile of C over KC steps with broadcast-FMA. Large products are split over M (or N) into
/// one contiguous chunk per thread, run by persistent pool workers (Gemm.Pool.cs). C with at most 4 rows (serving one user) skips packing and streams B with
/// axpy/dot loops instead. Steady-state calls, threaded or not, allocate nothing: packing buffers are
/// per-thread, pinned and reused.
/// </remarks>
public static partial class Gemm
{
    /// <summary>Products with fewer multiply-adds than this (2 MFLOP, ~25 µs on one core) stay on the calling thread:
    /// below it the hand-off to the worker pool (a semaphore wake-up, several µs on a loaded machine) costs as much as it saves.</summary>
    private const long ParallelThresholdMacs = 1L << 20;

    private static int s_maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// Process-wide cap on the threads of the overload without <c>maxThreads</c> (every tensor op uses that one):
    /// defaults to <see cref="Environment.ProcessorCount"/>; 1 keeps every product on the calling thread. Set it once
    /// at start-up (benchmarks compare 1 and 2 threads against PyTorch's <c>torch.set_num_threads</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"GEMM: MaxThreads must be at least 1, got {value}.");
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C using up to <see cref="MaxThreads"/> threads.</summary>
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
        => Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, MaxThreads);

    /// <summary>
    /// Computes C = alpha · op(A) · op(B) + beta · C using at most <paramref name="maxThreads"/> threads
    /// (1 forces the calling thread only; benchmarks compare 1 and 2). Same arguments as the overload without it.
    /// </summary>
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
    /// <param name="maxThreads">Upper bound on threads, at least 1; capped at <see cref="Environment.ProcessorCount"/>.</param>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int maxThreads)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (maxThreads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), $"GEMM: maxThreads must be at least 1, got {maxThreads}.");
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new GemmJob(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (k == 0 || alpha == 0f) { ScaleC(job); return; }
            int threads = Math.Min(maxThreads, Environment.ProcessorCount);
            bool skinny = m <= SkinnyRows;
            if (threads <= 1 || (long)m * n * k < ParallelThresholdMacs) RunSerial(job, skinny);
            else RunParallel(job, threads, skinny);
        }
    }

    /// <summary>C = beta · C over the m×n window (beta = 0 writes zeros without reading C).</summary>
    private static unsafe void ScaleC(in GemmJob j)
    {
        for (int i = 0; i < j.M; i++)
        {
            var row = new Span<float>(j.C + (long)i * j.Ldc, j.N);
            if (j.Beta == 0f) row.Clear();
            else if (j.Beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, j.Beta, row);
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
