namespace Cascade.Tensors;

/// <summary>
/// Global switches of reverse-mode differentiation: inference mode (<see cref="NoGrad"/>) records nothing,
/// so forward passes in serving pay no tape cost.
/// </summary>
public static class Autograd
{
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>True when ops record gradient nodes on this thread.</summary>
    public static bool IsEnabled => t_noGradDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed (nestable, per thread).</summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>True when an op over these inputs must record a node.</summary>
    public static bool ShouldRecord(Tensor a) => t_noGradDepth == 0 && a.RequiresGrad;

    /// <summary>True when an op over these inputs must record a node.</summary>
    public static bool ShouldRecord(Tensor a, Tensor b) => t_noGradDepth == 0 && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>True when an op over these inputs must record a node.</summary>
    public static bool ShouldRecord(ReadOnlySpan<Tensor> inputs)
    {
        if (t_noGradDepth != 0) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Scope returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Re-enables recording.</summary>
        public void Dispose() => t_noGradDepth--;
    }
}
