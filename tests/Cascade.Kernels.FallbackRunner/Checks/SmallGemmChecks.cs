using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// SmallGemm.Sgemm vs GemmReference over all four transposition variants and beta ∈ {0, 1, 0.5}, with lengths that
/// exercise the 16-wide, 8-wide and scalar parts of its dot and axpy loops (attention's 6×6×16 and 6×16×6 included).
/// </summary>
internal static class SmallGemmChecks
{
    private static readonly int[][] Shapes = [[6, 6, 16], [6, 16, 6], [1, 1, 1], [3, 31, 25], [7, 8, 9], [2, 40, 0]];

    public static IEnumerable<KernelCheck> All => [new("small-gemm.variants", Variants)];

    private static void Variants()
    {
        var rng = new Random(11);
        foreach (var s in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f, 0.5f })
                    {
                        int m = s[0], n = s[1], k = s[2];
                        int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1;
                        float[] a = Fill(Math.Max(1, (ta ? k : m) * lda)), b = Fill(Math.Max(1, (tb ? n : k) * ldb)), c = Fill(m * ldc);
                        var expected = (float[])c.Clone();
                        GemmReference.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, beta, expected, ldc);
                        SmallGemm.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, beta, c, ldc);
                        Check.Close($"small-gemm {m}x{n}x{k} ta={ta} tb={tb} beta={beta}", expected, c, 1e-5f, 1e-5f);
                    }

        float[] Fill(int length)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() - 0.5f;
            return x;
        }
    }
}
