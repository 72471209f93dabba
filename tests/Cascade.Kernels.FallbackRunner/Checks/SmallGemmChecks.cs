using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// SmallGemm.Sgemm vs GemmReference (and SmallAttention vs its twin) over all four transposition variants and beta ∈ {0, 1, 0.5}, with lengths that
/// exercise the 16-wide, 8-wide and scalar parts of its dot and axpy loops (attention's 6×6×16 and 6×16×6 included).
/// </summary>
internal static class SmallGemmChecks
{
    private static readonly int[][] Shapes = [[6, 6, 16], [6, 16, 6], [1, 1, 1], [3, 31, 25], [7, 8, 9], [2, 40, 0]];

    public static IEnumerable<KernelCheck> All => [new("small-gemm.variants", Variants), new("small-attention", Attention)];

    /// <summary>SmallAttention forward and backward vs SmallAttentionReference at AutoInt's head and at odd widths.</summary>
    private static void Attention()
    {
        var rng = new Random(12);
        foreach (var (lq, lk, dh, dv) in new[] { (6, 6, 16, 16), (3, 5, 7, 9), (2, 3, 24, 8) })
        {
            const int batch = 2, heads = 2;
            float[] q = Fill(rng, batch * heads * lq * dh), k = Fill(rng, batch * heads * lk * dh), v = Fill(rng, batch * heads * lk * dv);
            int[] mask = new int[batch * lk];
            for (int i = 0; i < mask.Length; i++) mask[i] = i % 3 == 1 ? 0 : 1;
            float[] p = new float[batch * heads * lq * lk], y = new float[batch * heads * lq * dv];
            float[] pr = new float[p.Length], yr = new float[y.Length];
            SmallAttention.Forward(q, k, v, mask, p, y, batch, heads, lq, lk, dh, dv, 0.25f);
            SmallAttentionReference.Forward(q, k, v, mask, pr, yr, batch, heads, lq, lk, dh, dv, 0.25f);
            Check.Close($"small-attention p {lq}x{lk}x{dh}x{dv}", pr, p, 1e-4f, 1e-5f);
            Check.Close($"small-attention y {lq}x{lk}x{dh}x{dv}", yr, y, 1e-4f, 1e-5f);
            float[] dy = Fill(rng, y.Length), dq = new float[q.Length], dk = new float[k.Length], dvg = new float[v.Length];
            float[] dqr = new float[q.Length], dkr = new float[k.Length], dvr = new float[v.Length];
            SmallAttention.Backward(q, k, v, p, dy, dq, dk, dvg, batch, heads, lq, lk, dh, dv, 0.25f);
            SmallAttentionReference.Backward(q, k, v, p, dy, dqr, dkr, dvr, batch, heads, lq, lk, dh, dv, 0.25f);
            Check.Close("small-attention dq", dqr, dq, 1e-4f, 1e-5f);
            Check.Close("small-attention dk", dkr, dk, 1e-4f, 1e-5f);
            Check.Close("small-attention dv", dvr, dvg, 1e-4f, 1e-5f);
        }
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() - 0.5f;
        return x;
    }

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
