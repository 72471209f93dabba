using Cascade.Kernels;
using Cascade.Kernels.Reference;

namespace Cascade.Kernels.Tests;

public class GemmTests
{
    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var d = new TheoryData<bool, bool, int, int, int>();
        int[][] sizes = [[1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 64, 64], [65, 31, 130], [0, 4, 4], [4, 0, 4], [4, 4, 0]];
        foreach (var s in sizes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    d.Add(ta, tb, s[0], s[1], s[2]);
        return d;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReference(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), c0 = Fill(rng, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (float beta in new[] { 0f, 1f, 0.5f })
        {
            var expected = (float[])c0.Clone();
            var actual = (float[])c0.Clone();
            GemmReference.Sgemm(transA, transB, m, n, k, 0.75f, a, lda, b, ldb, beta, expected, n);
            Gemm.Sgemm(transA, transB, m, n, k, 0.75f, a, lda, b, ldb, beta, actual, n);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + k) , $"C[{i}] {actual[i]} vs {expected[i]} (beta={beta})");
        }
    }

    [Fact]
    public void RejectsTooSmallBuffers()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("A needs 4 elements", ex.Message);
    }

    private static float[] Fill(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
