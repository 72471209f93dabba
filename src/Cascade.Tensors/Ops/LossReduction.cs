namespace Cascade.Tensors;

/// <summary>How a loss combines its per-sample terms into the scalar it returns.</summary>
public enum LossReduction
{
    /// <summary>Σ wᵢ·ℓᵢ / N (N = number of terms; weights, when given, scale terms but do not change N, as in PyTorch).</summary>
    Mean,
    /// <summary>Σ wᵢ·ℓᵢ.</summary>
    Sum,
}

public static partial class Ops
{
    /// <summary>Scale applied to every term: 1/N for Mean (0 when N = 0: an empty batch has loss 0), 1 for Sum.</summary>
    private static float ReductionScale(LossReduction reduction, int count)
        => reduction == LossReduction.Sum ? 1f : count == 0 ? 0f : 1f / count;

    private static void CheckSameShape(Tensor a, Tensor? b, string op, string aName, string bName)
    {
        if (b is not null && !a.SameShape(b))
            throw new ArgumentException($"{op}: {bName} {ShapeUtil.Format(b.Shape)} must have the shape of {aName} {ShapeUtil.Format(a.Shape)}.");
    }
}
