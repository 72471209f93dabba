using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// Gemm.Sgemm vs GemmReference (double accumulation) over all four transposition variants and beta ∈ {0, 1, 0.5},
/// on shapes that hit every edge of every tier's tile (8×32, 6×16, 4×8), K slices (k &gt; 384), several N panels
/// (n &gt; 384), the threaded split along M and along N, padded leading dimensions, and the benchmark layer shapes.
/// C carries guard values around it and between rows (ldc &gt; n) to catch stray writes.
/// </summary>
internal static class GemmChecks
{
    private static readonly int[][] EdgeShapes =
    [
        [1, 1, 1], [3, 5, 7], [8, 32, 16], [9, 33, 17], [7, 31, 5], [6, 16, 8], [13, 47, 29], [17, 33, 9], [64, 64, 64],
        [65, 31, 130], [100, 3, 50], [2, 200, 3], [0, 4, 4], [4, 0, 4], [4, 4, 0], [41, 400, 390], [130, 97, 100],
        [20, 900, 70], [1, 300, 320], [4, 70, 50], [5, 40, 33],
    ];

    public static IEnumerable<KernelCheck> All =>
    [
        new("gemm.edges", Edges),
        new("gemm.alpha-zero-and-nan-c", AlphaZeroAndGarbageC),
        new("gemm.benchmark-shapes", BenchmarkShapes),
    ];

    private static void Edges()
    {
        foreach (var s in EdgeShapes)
        {
            // Big shapes (more than half a million multiply-adds) cycle through the betas instead of running all
            // three per variant, which keeps the naive reference under a second per tier.
            bool big = (long)s[0] * s[1] * s[2] > 500_000;
            int variant = 0;
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] betas = big ? [Betas[variant++ % 3]] : Betas;
                    foreach (float beta in betas)
                        foreach (int threads in new[] { 1, 2 })
                            Compare(ta, tb, s[0], s[1], s[2], 0.75f, beta, threads, padA: 3, padB: 5, padC: 2);
                }
        }
    }

    private static readonly float[] Betas = [0f, 1f, 0.5f];

    private static void BenchmarkShapes()
    {
        // The layer of the benchmarks: forward A·B, backward dX = dY·Wᵀ and dW = Xᵀ·dY; plus the tower layer.
        // The fast kernel computes all of C; the reference checks every 16th row plus the first and last (and so
        // rows in every micro-tile position and both threads' halves) at 1/16 of its full cost.
        Compare(false, false, 2048, 320, 320, 1f, 0f, 2, 0, 0, 0, rowStride: 16);
        Compare(false, true, 2048, 320, 320, 1f, 1f, 1, 0, 0, 0, rowStride: 16);
        Compare(true, false, 320, 320, 2048, 1f, 1f, 2, 0, 0, 0, rowStride: 16);
        Compare(false, false, 256, 300, 300, 1f, 0f, 1, 0, 0, 0, rowStride: 4);
    }

    private static void AlphaZeroAndGarbageC()
    {
        // beta = 0 must overwrite C without reading it (NaN in C must not leak); alpha = 0 must only scale C.
        foreach (bool ta in new[] { false, true })
        {
            var a = Check.Uniform(1, 40 * 30, -1f, 1f);
            var b = Check.Uniform(2, 30 * 50, -1f, 1f);
            var c = new float[40 * 50];
            c.AsSpan().Fill(float.NaN);
            var expected = new float[40 * 50];
            GemmReference.Sgemm(ta, false, 40, 50, 30, 1f, a, ta ? 40 : 30, b, 50, 0f, expected, 50);
            Gemm.Sgemm(ta, false, 40, 50, 30, 1f, a, ta ? 40 : 30, b, 50, 0f, c, 50);
            Check.Close($"gemm beta=0 over NaN transA={ta}", expected, c, 1e-5f, 1e-4f);

            var c2 = Check.Uniform(3, 40 * 50, -1f, 1f);
            var e2 = (float[])c2.Clone();
            for (int i = 0; i < e2.Length; i++) e2[i] *= 0.5f;
            Gemm.Sgemm(ta, false, 40, 50, 30, 0f, a, ta ? 40 : 30, b, 50, 0.5f, c2, 50);
            Check.Close($"gemm alpha=0 transA={ta}", e2, c2, 0f, 0f);
        }
    }

    private static void Compare(bool ta, bool tb, int m, int n, int k, float alpha, float beta, int threads, int padA, int padB, int padC, int rowStride = 1)
    {
        int lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB, ldc = n + padC;
        int aRows = ta ? k : m, bRows = tb ? n : k;
        var a = Check.Uniform(m * 7 + k, Math.Max(0, aRows * lda), -1f, 1f);
        var b = Check.Uniform(n * 5 + k, Math.Max(0, bRows * ldb), -1f, 1f);
        var c0 = Check.Uniform(m + n + k, m * ldc, -1f, 1f);
        var c = new Guarded(c0);
        Gemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c.Span, ldc, threads);
        string what = $"gemm transA={ta} transB={tb} {m}x{n}x{k} beta={beta} threads={threads}";
        c.AssertGuards(what);
        // Float accumulation over k terms of size ≤ 1 drifts ≲ k · 6e-8 from the double reference; 2e-6 · (1 + k) is a safe bound.
        float tol = 2e-6f * (1 + k);
        var cs = c.Span;
        var expected = new float[n];
        for (int i = 0; i < m; i++)
        {
            // The padding between rows is not part of C: the kernel must leave it untouched.
            for (int j = n; j < ldc; j++)
                if (cs[i * ldc + j] != c0[i * ldc + j]) throw new CheckFailedException($"{what}: wrote into row padding at ({i}, {j}).");
            if (i % rowStride != 0 && i != m - 1) continue;
            // Row i of C alone: op(A)'s row i starts at A[i, 0] (or A[0, i] when transposed).
            c0.AsSpan(i * ldc, n).CopyTo(expected);
            var aRow = a.Length == 0 ? default : ta ? a.AsSpan(i) : a.AsSpan(i * lda);
            GemmReference.Sgemm(ta, tb, 1, n, k, alpha, aRow, lda, b, ldb, beta, expected, ldc);
            for (int j = 0; j < n; j++) Check.Close(what, i * ldc + j, expected[j], cs[i * ldc + j], 0f, tol);
        }
    }
}
