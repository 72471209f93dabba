using Cascade.Kernels.Reference;

namespace Cascade.Kernels.Tests;

/// <summary>The unpacked small-product GEMM against the reference, every transpose combination, with strides and beta.</summary>
public class SmallGemmTests
{
    [Theory]
    [InlineData(false, false, 6, 16, 6, 0f)]   // attention O = P·V
    [InlineData(false, true, 6, 6, 16, 0f)]    // S = Q·Kᵀ
    [InlineData(true, false, 6, 16, 6, 1f)]    // dV += Pᵀ·dO
    [InlineData(true, true, 5, 7, 9, 0.5f)]
    [InlineData(false, false, 3, 37, 11, -2f)] // n not a multiple of the vector width
    [InlineData(false, true, 1, 1, 0, 0.5f)]   // k = 0 scales C only
    public void MatchesTheReference(bool transA, bool transB, int m, int n, int k, float beta)
    {
        var rng = new Random(m * 100 + n * 10 + k);
        int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
        float[] a = Fill((transA ? k : m) * lda), b = Fill((transB ? n : k) * ldb), c = Fill(m * ldc);
        float[] expected = (float[])c.Clone();
        if (beta == 0f) Array.Fill(c, float.NaN); // beta = 0 must not read C
        SmallGemm.Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, beta, c, ldc);
        GemmReference.Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, beta, expected, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(MathF.Abs(c[i * ldc + j] - expected[i * ldc + j]) <= 1e-5f, $"C[{i},{j}] = {c[i * ldc + j]}, expected {expected[i * ldc + j]}");

        float[] Fill(int length)
        {
            var x = new float[Math.Max(length, 1)];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() - 0.5f;
            return x;
        }
    }

    [Fact]
    public void ShortSpanIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SmallGemm.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("A needs 4 elements", ex.Message);
    }
}
