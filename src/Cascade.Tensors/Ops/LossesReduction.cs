namespace Cascade.Tensors;

/// <summary>How a loss combines its per-sample terms into the scalar it returns.</summary>
public enum LossReduction
{
    /// <summary>Σ wᵢ·ℓᵢ / N (N = number of terms; weights, when given, scale terms but do not change N, as in PyTorch).</summary>
    Mean,
    /// <summary>Σ wᵢ·ℓᵢ.</summary>
    Sum,
}
