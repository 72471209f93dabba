namespace Cascade.Kernels.FallbackRunner;

/// <summary>One named comparison of a fast kernel with its Reference twin; <see cref="Run"/> throws on a mismatch.</summary>
public sealed record KernelCheck(string Name, Action Run)
{
    public override string ToString() => Name;
}

/// <summary>Every kernel comparison, shared by the xunit tests (in-process) and this runner (child processes).</summary>
public static class KernelChecks
{
    /// <summary>Every length 0–256 (all vector/tail splits of 16- and 8-wide loops) plus sizes past the caches.</summary>
    public static readonly int[] Lengths = [.. Enumerable.Range(0, 257), 1000, 4099, 65537];

    public static IReadOnlyList<KernelCheck> All { get; } =
    [
        .. ActivationChecks.All,
        .. SoftmaxChecks.All,
        .. EmbeddingBagChecks.All,
        .. OptimizerChecks.All,
        .. LayerNormChecks.All,
        .. ReductionChecks.All,
        .. GemmChecks.All,
        .. SmallGemmChecks.All,
        .. VectorMathChecks.All,
        .. LossChecks.All,
    ];

    public static KernelCheck Get(string name) => All.Single(c => c.Name == name);
}
