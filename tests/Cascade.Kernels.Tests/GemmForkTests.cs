namespace Cascade.Kernels.Tests;

/// <summary>Tests that change <see cref="Gemm.MaxThreads"/> share this collection, so they never run at the same time.</summary>
[CollectionDefinition(Name)]
public sealed class GemmThreadCapCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Gemm thread cap";
}

/// <summary><see cref="Gemm.TryFork"/>: two halves on two threads, the pool owned meanwhile, errors propagated.</summary>
[Collection(GemmThreadCapCollection.Name)]
public class GemmForkTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() - 0.5f;
        return x;
    }

    /// <summary>Other test classes' GEMMs may own the pool for a moment (TryFork then declines): retry a few times.</summary>
    private static bool ForkWithRetries(Action onCaller, Action onWorker)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (Gemm.TryFork(onCaller, onWorker)) return true;
            Thread.Sleep(1);
        }
        return false;
    }

    [Fact]
    public void RunsBothHalvesOnTwoThreadsWhenTwoCoresAreAllowed()
    {
        if (Environment.ProcessorCount < 2) return; // one core: TryFork always declines (covered below)
        int callerThread = -1, workerThread = -1;
        Assert.True(ForkWithRetries(() => callerThread = Environment.CurrentManagedThreadId, () => workerThread = Environment.CurrentManagedThreadId));
        Assert.Equal(Environment.CurrentManagedThreadId, callerThread);
        Assert.NotEqual(-1, workerThread);
        Assert.NotEqual(callerThread, workerThread);
    }

    [Fact]
    public void HalvesReallyOverlap()
    {
        if (Environment.ProcessorCount < 2) return;
        // Each half waits for the other to arrive: this completes only if both run at the same time.
        using var barrier = new Barrier(2);
        bool callerMet = false, workerMet = false;
        Assert.True(ForkWithRetries(() => callerMet = barrier.SignalAndWait(TimeSpan.FromSeconds(20)),
            () => workerMet = barrier.SignalAndWait(TimeSpan.FromSeconds(20))));
        Assert.True(callerMet && workerMet);
    }

    [Fact]
    public void DeclinesWithOneThreadAndWhenNested()
    {
        int before = Gemm.MaxThreads;
        bool ran = false;
        try
        {
            Gemm.MaxThreads = 1;
            Assert.False(Gemm.TryFork(() => ran = true, () => ran = true));
            Assert.False(ran);
        }
        finally { Gemm.MaxThreads = before; }
        if (Environment.ProcessorCount < 2) return;
        bool? nestedOnCaller = null, nestedOnWorker = null;
        Assert.True(ForkWithRetries(() => nestedOnCaller = Gemm.TryFork(() => { }, () => { }),
            () => nestedOnWorker = Gemm.TryFork(() => { }, () => { })));
        Assert.False(nestedOnCaller);
        Assert.False(nestedOnWorker);
    }

    [Fact]
    public void GemmsInsideAForkRunSeriallyAndGiveTheSameBits()
    {
        // 256×300×300 (a tower layer): above the threading threshold, so outside a fork it would use the pool.
        const int m = 256, n = 300, k = 300;
        float[] a = Random(m * k, 11), b = Random(n * k, 12), a2 = Random(m * k, 13);
        var serial1 = new float[m * n];
        var serial2 = new float[m * n];
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, serial1, n, maxThreads: 1);
        Gemm.Sgemm(false, true, m, n, k, 1f, a2, k, b, k, 0f, serial2, n, maxThreads: 1);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        void Left() => Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c1, n);
        void Right() => Gemm.Sgemm(false, true, m, n, k, 1f, a2, k, b, k, 0f, c2, n);
        if (!Gemm.TryFork(Left, Right)) { Left(); Right(); }
        Assert.Equal(serial1, c1);
        Assert.Equal(serial2, c2);
    }

    [Fact]
    public void ExceptionsFromEitherHalfPropagateAfterBothFinish()
    {
        if (Environment.ProcessorCount < 2) return;
        bool otherFinished = false;
        var fromWorker = Assert.Throws<InvalidOperationException>(() => ForkWithRetries(
            () => { Thread.Sleep(20); otherFinished = true; }, () => throw new InvalidOperationException("worker half")));
        Assert.Equal("worker half", fromWorker.Message);
        Assert.True(otherFinished);
        otherFinished = false;
        var fromCaller = Assert.Throws<ArgumentException>(() => ForkWithRetries(
            () => throw new ArgumentException("caller half"), () => { Thread.Sleep(20); otherFinished = true; }));
        Assert.Equal("caller half", fromCaller.Message);
        Assert.True(otherFinished);
        // The pool is usable again afterwards.
        Assert.True(ForkWithRetries(() => { }, () => { }));
        Assert.Throws<ArgumentNullException>(() => Gemm.TryFork(null!, () => { }));
    }
}
