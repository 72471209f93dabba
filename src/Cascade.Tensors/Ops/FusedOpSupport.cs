using System.Numerics.Tensors;

namespace Cascade.Tensors;

/// <summary>
/// Validation and row helpers shared by the fused ops, kept out of <see cref="Ops"/> so that private names in its
/// partial files by other authors cannot collide with them.
/// </summary>
internal static class FusedOpSupport
{
    /// <summary>dst (cols) += Σ_r src[r, :] for a row-major (rows, cols) matrix.</summary>
    internal static void AddRowsInto(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dst, src.Slice(r * cols, cols), dst);
    }

    /// <summary>Throws unless <paramref name="v"/> is null or a vector of length <paramref name="n"/>.</summary>
    internal static void CheckVector(Tensor? v, int n, string what)
    {
        if (v is not null && (v.Rank != 1 || v.Dim(0) != n))
            throw new ArgumentException($"{what} must be ({n}), got {ShapeUtil.Format(v.Shape)}.");
    }

    /// <summary>Scale applied to every loss term: 1/N for Mean (0 when N = 0: an empty batch has loss 0), 1 for Sum.</summary>
    internal static float ReductionScale(LossReduction reduction, int count)
        => reduction == LossReduction.Sum ? 1f : count == 0 ? 0f : 1f / count;

    /// <summary>Throws unless <paramref name="b"/> is null or has the shape of <paramref name="a"/>.</summary>
    internal static void CheckSameShape(Tensor a, Tensor? b, string op, string aName, string bName)
    {
        if (b is not null && !a.SameShape(b))
            throw new ArgumentException($"{op}: {bName} {ShapeUtil.Format(b.Shape)} must have the shape of {aName} {ShapeUtil.Format(a.Shape)}.");
    }

    /// <summary>σ(x) without overflow for large |x| (e^(−|x|) ≤ 1 always).</summary>
    internal static float StableSigmoid(float x)
    {
        float e = MathF.Exp(-MathF.Abs(x));
        return x >= 0f ? 1f / (1f + e) : e / (1f + e);
    }

    /// <summary>Formats flat index <paramref name="flat"/> of a row-major <paramref name="shape"/> as "[i, j, …]".</summary>
    internal static string FormatPosition(int flat, ReadOnlySpan<int> shape)
    {
        var idx = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            idx[a] = shape[a] == 0 ? 0 : flat % shape[a];
            flat = shape[a] == 0 ? 0 : flat / shape[a];
        }
        return "[" + string.Join(", ", idx) + "]";
    }
}
