using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Cosine distance per row: ℓ_b = 1 − ⟨a_b, b_b⟩ / (max(‖a_b‖, ε) · max(‖b_b‖, ε)). a (B, D), b (B, D) → scalar
    /// (Mean or Sum over rows). Backward with c = cos, nₐ, n_b the clamped norms:
    /// dℓ/da = −(b / (nₐ n_b) − c · a / nₐ²) (the norm term vanishes when a norm is clamped), symmetric for b.
    /// </summary>
    public static Tensor CosineDistance(Tensor a, Tensor b, LossReduction reduction = LossReduction.Mean, float eps = 1e-8f)
    {
        if (a.Rank != 2) throw new ArgumentException($"CosineDistance needs (B, D) rows, got {ShapeUtil.Format(a.Shape)}.");
        FusedOpSupport.CheckSameShape(a, b, "CosineDistance", "a", "b");
        int rows = a.Dim(0), d = a.Dim(1);
        var na = new float[rows];
        var nb = new float[rows];
        var cos = new float[rows];
        ReadOnlySpan<float> asp = a.Span, bsp = b.Span;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var ar = asp.Slice(r * d, d);
            var br = bsp.Slice(r * d, d);
            na[r] = TensorPrimitives.Norm(ar);
            nb[r] = TensorPrimitives.Norm(br);
            cos[r] = TensorPrimitives.Dot(ar, br) / (MathF.Max(na[r], eps) * MathF.Max(nb[r], eps));
            total += 1.0 - cos[r];
        }
        float scale = FusedOpSupport.ReductionScale(reduction, rows);
        var loss = Tensor.Scalar((float)(total * scale));
        if (Autograd.ShouldRecord(a, b))
        {
            loss.Record("cosine_distance", [a, b], g =>
            {
                float s = g.Span[0] * scale;
                for (int r = 0; r < rows; r++)
                {
                    var ar = a.Span.Slice(r * d, d);
                    var br = b.Span.Slice(r * d, d);
                    float ca = MathF.Max(na[r], eps), cb = MathF.Max(nb[r], eps);
                    if (a.RequiresGrad) CosineGradInto(ar, br, ca, cb, na[r] >= eps, cos[r], -s, a.GradSpanForAccumulate().Slice(r * d, d));
                    if (b.RequiresGrad) CosineGradInto(br, ar, cb, ca, nb[r] >= eps, cos[r], -s, b.GradSpanForAccumulate().Slice(r * d, d));
                }
            });
        }
        return loss;
    }

    /// <summary>dst += s · ∂cos/∂x = s · (y / (nx ny) − [normActive] · c · x / nx²).</summary>
    private static void CosineGradInto(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float nx, float ny, bool normActive, float c, float s, Span<float> dst)
    {
        TensorPrimitives.MultiplyAdd(y, s / (nx * ny), dst, dst);
        if (normActive) TensorPrimitives.MultiplyAdd(x, -s * c / (nx * nx), dst, dst);
    }
}
