using System.Runtime.ExceptionServices;

namespace Cascade.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Allocation-free fork-join for the threaded GEMM. <c>Parallel.For</c> allocated ~20 KB per call (delegate,
    /// closure, ParallelOptions, task state: most of the 23 KB per step of <c>cascade bench mlp</c>), so the GEMM keeps
    /// <see cref="Environment.ProcessorCount"/> − 1 persistent background workers instead, started on the first
    /// threaded call. A dispatch hands each worker its chunk by field assignment, releases the worker's semaphore,
    /// runs chunk 0 on the calling thread and waits for a countdown to reach zero. One product owns the pool at a
    /// time: a caller that finds it busy (another serving thread is mid-GEMM) gets false and runs serially, so
    /// concurrent callers never wait on each other and cannot deadlock; workers only run the serial driver, so
    /// dispatches never nest.
    /// </summary>
    private static class Pool
    {
        /// <summary>One persistent worker: its wake-up signal, its current chunk and the exception it hit, if any.</summary>
        private sealed class Worker
        {
            public readonly SemaphoreSlim Go = new(0, 1);
            public GemmJob Job;
            public bool Skinny;
            public Action? Work; // a fork's second half (Gemm.Fork.cs) instead of a GEMM chunk
            public Exception? Error;
        }

        private static readonly object s_startLock = new();
        private static readonly ManualResetEventSlim s_done = new(false, spinCount: 200);
        private static Worker[]? s_workers;
        private static int s_busy;      // 1 while a dispatch owns the pool
        private static int s_remaining; // workers of the current dispatch still running

        /// <summary>Workers the pool can hand chunks to (the caller runs one more chunk itself).</summary>
        public static int WorkerCount => Math.Max(0, Environment.ProcessorCount - 1);

        /// <summary>
        /// Runs the <paramref name="threads"/> chunks of <paramref name="job"/> (chunk 0 here, chunk t on worker t − 1)
        /// and returns true once all have finished; returns false, having run nothing, when another caller owns the
        /// pool or there are more chunks than workers + 1.
        /// </summary>
        public static bool TryRun(in GemmJob job, int threads, in Split split, bool skinny)
        {
            int helpers = threads - 1;
            if (helpers < 1 || helpers > WorkerCount) return false;
            if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
            try
            {
                var workers = Volatile.Read(ref s_workers) ?? Start();
                s_done.Reset();
                Volatile.Write(ref s_remaining, helpers);
                for (int t = 0; t < helpers; t++)
                {
                    var w = workers[t];
                    w.Job = split.Chunk(job, t + 1, threads, out bool empty);
                    w.Skinny = skinny && !empty;
                    w.Error = null;
                    w.Go.Release(); // a full fence: the fields above are visible to the worker when it wakes
                }
                Exception? own = null;
                try
                {
                    var first = split.Chunk(job, 0, threads, out bool empty);
                    if (!empty) RunSerial(first, skinny);
                }
                catch (Exception e) { own = e; }
                // Always wait, even after an exception: the workers write through the caller's pinned pointers.
                s_done.Wait();
                if (own is not null) ExceptionDispatchInfo.Throw(own);
                for (int t = 0; t < helpers; t++)
                    if (workers[t].Error is { } e) ExceptionDispatchInfo.Throw(e);
                return true;
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }

        /// <summary>
        /// Runs <paramref name="onWorker"/> on the first worker and <paramref name="onCaller"/> here, and returns true
        /// once both have finished; returns false, having run nothing, when there is no worker or another caller owns
        /// the pool. The pool stays owned for the whole fork, so GEMMs called inside either half run serially on
        /// their own thread (two threads on two cores, never three).
        /// </summary>
        public static bool TryFork(Action onCaller, Action onWorker)
        {
            if (WorkerCount < 1) return false;
            if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
            try
            {
                var w = (Volatile.Read(ref s_workers) ?? Start())[0];
                s_done.Reset();
                Volatile.Write(ref s_remaining, 1);
                w.Work = onWorker;
                w.Error = null;
                w.Go.Release();
                Exception? own = null;
                try { onCaller(); }
                catch (Exception e) { own = e; }
                // Always wait: the worker's half may share state with the caller's (the fork's contract).
                s_done.Wait();
                w.Work = null;
                if (own is not null) ExceptionDispatchInfo.Throw(own);
                if (w.Error is { } error) ExceptionDispatchInfo.Throw(error);
                return true;
            }
            finally
            {
                Volatile.Write(ref s_busy, 0);
            }
        }

        private static Worker[] Start()
        {
            lock (s_startLock)
            {
                if (s_workers is not null) return s_workers;
                var workers = new Worker[WorkerCount];
                for (int t = 0; t < workers.Length; t++)
                {
                    var w = workers[t] = new Worker();
                    new Thread(() => Loop(w)) { IsBackground = true, Name = $"Cascade GEMM worker {t + 1}" }.Start();
                }
                Volatile.Write(ref s_workers, workers);
                return workers;
            }
        }

        private static void Loop(Worker w)
        {
            while (true)
            {
                w.Go.Wait();
                try
                {
                    if (w.Work is { } work) work();
                    else if (w.Job.M > 0 && w.Job.N > 0) RunSerial(w.Job, w.Skinny);
                }
                catch (Exception e) { w.Error = e; }
                if (Interlocked.Decrement(ref s_remaining) == 0) s_done.Set();
            }
        }
    }

    /// <summary>How a product is cut into per-thread chunks: contiguous runs of whole micro-tiles along M or N.</summary>
    private readonly struct Split(bool alongM, int tiles, int unit, int extent)
    {
        public readonly int Tiles = tiles;

        /// <summary>Chunk <paramref name="t"/> of <paramref name="threads"/>; <paramref name="empty"/> when it holds no rows/columns.</summary>
        public GemmJob Chunk(in GemmJob job, int t, int threads, out bool empty)
        {
            int start = (int)((long)Tiles * t / threads) * unit;
            int end = Math.Min(extent, (int)((long)Tiles * (t + 1) / threads) * unit);
            empty = end <= start;
            int length = Math.Max(0, end - start);
            return alongM ? job.RowBlock(Math.Min(start, extent), length) : job.ColumnBlock(Math.Min(start, extent), length);
        }
    }
}
