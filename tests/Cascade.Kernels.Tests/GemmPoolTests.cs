using Cascade.Kernels.Reference;

namespace Cascade.Kernels.Tests;

/// <summary>The persistent worker pool of the threaded GEMM: no steady-state allocation, safe under concurrent callers.</summary>
[Collection(GemmThreadCapCollection.Name)]
public class GemmPoolTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() - 0.5f;
        return x;
    }

    [Fact]
    public void ThreadedSgemmSteadyStateAllocatesNothing()
    {
        // 256×128×64 = 2 M multiply-adds: above the 1 M threshold, so with 2+ cores the product goes to the pool.
        const int m = 256, n = 128, k = 64;
        float[] a = Random(m * k, 1), b = Random(k * n, 2), c = new float[m * n];
        var cc = new float[m * m];
        // Warm-up: starts the pool and grows this thread's packing buffers to both products' sizes.
        for (int i = 0; i < 5; i++) Products();
        // Cleanest of five rounds (tiered JIT may charge bookkeeping to this thread once; a real leak shows every round).
        long best = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Products();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);

        void Products()
        {
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            Gemm.Sgemm(false, true, m, m, n, 1f, c, n, c, n, 0f, cc, m); // C·Cᵀ: split along M, k = 128
        }
    }

    [Fact]
    public void ConcurrentCallersMatchTheReference()
    {
        // Four threads at once: whichever owns the pool splits its product, the others run serially; every result
        // must equal the reference (to float rounding: the blocked kernel sums in a different order).
        const int m = 192, n = 160, k = 96;
        float[] a = Random(m * k, 3), b = Random(n * k, 4);
        var expected = new float[m * n];
        GemmReference.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, expected, n);
        var failures = new int[4];
        var threads = new Thread[4];
        for (int t = 0; t < threads.Length; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                var c = new float[m * n];
                for (int rep = 0; rep < 40; rep++)
                {
                    c.AsSpan().Fill(float.NaN); // beta = 0 must overwrite garbage
                    Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n);
                    for (int i = 0; i < c.Length; i++)
                        if (!(MathF.Abs(c[i] - expected[i]) <= 1e-4f)) { failures[id]++; break; }
                }
            });
            threads[t].Start();
        }
        foreach (var th in threads) th.Join();
        Assert.Equal(new int[4], failures);
    }

    [Fact]
    public void PooledAndSerialResultsAreBitIdenticalUnderContention()
    {
        // A caller that finds the pool busy runs serially; both paths must give the same bits.
        const int m = 300, n = 120, k = 80;
        float[] a = Random(m * k, 5), b = Random(k * n, 6);
        var serial = new float[m * n];
        Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, serial, n, maxThreads: 1);
        var mismatches = 0;
        Parallel.For(0, 3, _ =>
        {
            var c = new float[m * n];
            for (int rep = 0; rep < 20; rep++)
            {
                Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
                if (!c.AsSpan().SequenceEqual(serial)) Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void MaxThreadsCapsTheDefaultOverloadAndRejectsZero()
    {
        // Bit-identical at every cap (the split never changes a C element's summation order), so other tests
        // running meanwhile see the same results whatever the cap is while this one holds it at 1.
        const int m = 256, n = 300, k = 300;
        float[] a = Random(m * k, 7), b = Random(n * k, 8);
        var serial = new float[m * n];
        var capped = new float[m * n];
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, serial, n, maxThreads: 1);
        int before = Gemm.MaxThreads;
        Assert.Equal(Environment.ProcessorCount, before);
        try
        {
            Gemm.MaxThreads = 1;
            Assert.Equal(1, Gemm.MaxThreads);
            Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, capped, n);
            Assert.Equal(serial, capped);
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
            Assert.Contains("at least 1", ex.Message);
            Assert.Equal(1, Gemm.MaxThreads);
        }
        finally { Gemm.MaxThreads = before; }
    }
}
