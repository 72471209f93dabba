using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Layer normalisation over the last axis: per row, μ = mean(x), σ² = mean((x − μ)²) (biased),
    /// x̂ = (x − μ) / √(σ² + ε), y = γ ⊙ x̂ + β. x (…, D), gain γ (D) or null (= 1), bias β (D) or null (= 0) → y (…, D).
    /// Backward with r = 1/√(σ² + ε) and ĝ = γ ⊙ dy: dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),
    /// dγ += Σ_rows dy ⊙ x̂, dβ += Σ_rows dy.
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor? gain, Tensor? bias, float eps = 1e-5f)
    {
        if (x.Rank < 1) throw new ArgumentException("LayerNorm needs at least one axis.");
        int d = x.Dim(-1);
        FusedOpSupport.CheckVector(gain, d, "LayerNorm gain");
        FusedOpSupport.CheckVector(bias, d, "LayerNorm bias");
        int rows = d == 0 ? 0 : x.Size / d;
        var y = Tensor.Empty(x.ShapeRef);
        var xHat = Tensor.Empty(x.ShapeRef); // kept for backward
        var rstdT = Tensor.Empty([rows]); // 1/√(σ² + ε) per row, kept for backward
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span, hs = xHat.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * d, d);
            var hr = hs.Slice(r * d, d);
            float mean = TensorPrimitives.Sum(xr) / d;
            TensorPrimitives.Subtract(xr, mean, hr);
            float variance = TensorPrimitives.SumOfSquares(hr) / d;
            float inv = 1f / MathF.Sqrt(variance + eps);
            rstdT.Span[r] = inv;
            TensorPrimitives.Multiply(hr, inv, hr);
            var yr = ys.Slice(r * d, d);
            if (gain is not null) TensorPrimitives.Multiply(hr, gain.Span, yr); else hr.CopyTo(yr);
            if (bias is not null) TensorPrimitives.Add(yr, bias.Span, yr);
        }
        Tensor[] inputs = gain is null ? (bias is null ? [x] : [x, bias]) : (bias is null ? [x, gain] : [x, gain, bias]);
        if (Autograd.ShouldRecord(inputs))
        {
            y.Record("layer_norm", inputs, g =>
            {
                ReadOnlySpan<float> gs = g.Span, h = xHat.Span;
                if (gain is not null && gain.RequiresGrad)
                {
                    var gg = gain.GradSpanForAccumulate();
                    for (int r = 0; r < rows; r++) TensorPrimitives.MultiplyAdd(gs.Slice(r * d, d), h.Slice(r * d, d), gg, gg);
                }
                if (bias is not null && bias.RequiresGrad) FusedOpSupport.AddRowsInto(gs, rows, d, bias.GradSpanForAccumulate());
                if (!x.RequiresGrad) return;
                var gx = x.GradSpanForAccumulate();
                var tmp = d <= 1024 ? stackalloc float[d] : new float[d];
                for (int r = 0; r < rows; r++)
                {
                    var gr = gs.Slice(r * d, d);
                    var hr = h.Slice(r * d, d);
                    if (gain is not null) TensorPrimitives.Multiply(gr, gain.Span, tmp); else gr.CopyTo(tmp);
                    float meanG = TensorPrimitives.Sum(tmp) / d;
                    float meanGh = TensorPrimitives.Dot(tmp, hr) / d;
                    float inv = rstdT.Span[r];
                    var gxr = gx.Slice(r * d, d);
                    // gx += inv · (tmp − meanG − h · meanGh)
                    TensorPrimitives.MultiplyAdd(hr, -meanGh, tmp, tmp);
                    TensorPrimitives.Subtract(tmp, meanG, tmp);
                    TensorPrimitives.MultiplyAdd(tmp, inv, gxr, gxr);
                }
            });
        }
        return y;
    }
}
