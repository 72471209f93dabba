namespace Cascade.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Runs two independent pieces of work at the same time: <paramref name="onCaller"/> on the calling thread and
    /// <paramref name="onWorker"/> on the GEMM's persistent pool worker (Gemm.Pool.cs), and returns true once both
    /// have finished. Returns false, having run neither, when <see cref="MaxThreads"/> is 1, the machine has one
    /// core, or another caller owns the pool (a GEMM or fork on another thread, or a fork nested inside this one);
    /// the caller then runs both itself, in order.
    /// </summary>
    /// <remarks>
    /// The pool stays owned until both halves return, so every GEMM inside either half runs serially on its own
    /// thread: two cores run two independent halves (the towers of a two-tower model) instead of one serial
    /// program with a 2-thread GEMM inside (docs/design/kernels.md "Parallel training step"). GEMM results do not
    /// depend on the thread count, so nothing else changes. An exception in either half is rethrown here after
    /// both have finished (the caller's first). No allocation besides the caller's delegates.
    /// </remarks>
    /// <param name="onCaller">Work for the calling thread.</param>
    /// <param name="onWorker">Work for the pool worker; it must not wait for <paramref name="onCaller"/>.</param>
    /// <returns>True when both ran (concurrently); false when neither ran.</returns>
    /// <example>
    /// <code>
    /// if (!Gemm.TryFork(() => left = Tower(a), () => right = Tower(b))) { left = Tower(a); right = Tower(b); }
    /// </code>
    /// </example>
    public static bool TryFork(Action onCaller, Action onWorker)
    {
        ArgumentNullException.ThrowIfNull(onCaller);
        ArgumentNullException.ThrowIfNull(onWorker);
        if (Math.Min(MaxThreads, Environment.ProcessorCount) < 2) return false;
        return Pool.TryFork(onCaller, onWorker);
    }
}
