using Cascade.Kernels.Reference;

namespace Cascade.Kernels.Tests;

/// <summary>Argument errors, allocation-free steady state, and the threading overload of the kernels.</summary>
public class KernelApiTests
{
    [Fact]
    public void SgemmSteadyStateAllocatesNothing()
    {
        var a = new float[96 * 80]; var b = new float[80 * 70]; var c = new float[96 * 70];
        for (int i = 0; i < 3; i++) Gemm.Sgemm(false, true, 96, 70, 80, 1f, a, 80, b, 80, 0f, c, 70, maxThreads: 1);
        // Cleanest of five rounds (tiered JIT may charge bookkeeping to this thread once; a real leak shows every round).
        long best = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                Gemm.Sgemm(false, true, 96, 70, 80, 1f, a, 80, b, 80, 0f, c, 70, maxThreads: 1);
                Gemm.Sgemm(true, false, 70, 70, 96, 1f, c, 70, c, 70, 1f, b, 70, maxThreads: 1);
            }
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);
    }

    [Fact]
    public void ElementwiseKernelsAllocateNothing()
    {
        var x = new float[1000]; var y = new float[1000]; var d = new float[1000]; var w = new float[1000];
        for (int i = 0; i < 3; i++) Kernels();
        // Tiered JIT and first-call type loading may charge a few KB of bookkeeping to this thread in one round (CI saw
        // 3,856 bytes once); a per-call allocation shows in every round, so the cleanest of five rounds must be zero.
        long best = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Kernels();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);

        void Kernels()
        {
            Activations.ReluForward(x, y);
            Activations.SigmoidBackward(y, x, d);
            Softmax.Forward(x, y, 10, 100, default);
            Softmax.Backward(y, x, d, 10, 100);
            OptimizerSteps.Adam(w, x, y, d, 0.1f, 0.9f, 0.99f, 1e-8f, 0, 0, 1, 1);
        }
    }

    [Fact]
    public void SgemmRejectsNonPositiveThreadCap()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 1, 1, 1, 1f, new float[1], 1, new float[1], 1, 0f, new float[1], 1, 0));
        Assert.Contains("maxThreads", ex.Message);
    }

    [Theory]
    [InlineData(300, 250, 200, false, 0f)]     // split along M
    [InlineData(12, 64, 2000, false, 0.5f)]    // M split 8 + 4: the 4-row chunk must not switch to the skinny path
    [InlineData(20, 900, 70, true, 0.5f)]      // split along N, B transposed
    [InlineData(2, 1024, 600, false, 1f)]      // skinny product split along N
    public void SgemmThreadCountDoesNotChangeTheResult(int m, int n, int k, bool transB, float beta)
    {
        // Threads own disjoint blocks of C and each element sums in the same order, so results are bit-identical.
        var rng = new Random(5);
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble();
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble();
        for (int i = 0; i < c0.Length; i++) c0[i] = (float)rng.NextDouble();
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone();
        int ldb = transB ? k : n;
        Gemm.Sgemm(false, transB, m, n, k, 1f, a, k, b, ldb, beta, c1, n, 1);
        Gemm.Sgemm(false, transB, m, n, k, 1f, a, k, b, ldb, beta, c2, n, 2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void ShortOutputSpanIsRejectedWithItsName()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activations.ReluBackward(new float[10], new float[10], new float[9]));
        Assert.Contains("holds 9 elements but 10 are needed", ex.Message);
        Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[6], new float[5], 2, 3, default));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(new float[6], new float[3], new float[3], new float[6], new float[1], new float[2], 2, 3, 1e-5f));
    }

    [Fact]
    public void FtrlZeroesWeightsInsideTheL1Band()
    {
        // |z| ≤ λ1 ⇒ w = 0 exactly (the sparsity FTRL is used for); outside, w has the sign opposite to z.
        float[] w = [0.3f, -0.2f], g = [0.01f, -2f], z = new float[2], n = new float[2];
        OptimizerSteps.Ftrl(w, g, z, n, alpha: 0.1f, beta: 1f, l1: 0.5f, l2: 0f);
        float[] we = [0.3f, -0.2f], ze = new float[2], ne = new float[2];
        OptimizerStepsReference.Ftrl(we, g, ze, ne, 0.1f, 1f, 0.5f, 0f);
        Assert.Equal(0f, w[0]);
        // Second coordinate by hand: n = 4, σ = (2 − 0)/0.1 = 20, z = −2 − 20·(−0.2) = 2, w = −(2 − 0.5)/((1 + 2)/0.1) = −0.05.
        Assert.Equal(2f, z[1], 5);
        Assert.Equal(-0.05f, w[1], 6);
        Assert.Equal(we, w);
    }
}
