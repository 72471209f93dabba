using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>y = tanh(x), any shape. Backward: dx += dy · (1 − y²).</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.TanhForward(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("tanh", [x], g => Activations.TanhBackward(y.Span, g.Span, x.GradSpanForAccumulate()));
        return y;
    }

    /// <summary>
    /// Leaky ReLU, any shape: y = x if x &gt; 0 else slope · x. Backward: dx += dy · (x &gt; 0 ? 1 : slope).
    /// </summary>
    /// <example><c>Ops.LeakyRelu(x, 0.01f)</c></example>
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.LeakyReluForward(x.Span, slope, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("leaky_relu", [x], g => Activations.LeakyReluBackward(x.Span, slope, g.Span, x.GradSpanForAccumulate()));
        return y;
    }

    /// <summary>y = log(1 + eˣ) (computed stably), any shape. Backward: dx += dy · sigmoid(x).</summary>
    public static Tensor Softplus(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.SoftplusForward(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("softplus", [x], g => Activations.SoftplusBackward(x.Span, g.Span, x.GradSpanForAccumulate()));
        return y;
    }

    /// <summary>
    /// Parametric ReLU: y = x if x &gt; 0 else α_c · x, where c is the index along the last axis.
    /// x: (…, C); alpha: (C) (one slope per channel) or a single element (shared slope).
    /// Backward: dx += dy · (x &gt; 0 ? 1 : α_c); dα_c += Σ over x ≤ 0 of dy · x.
    /// </summary>
    public static Tensor PRelu(Tensor x, Tensor alpha)
    {
        int c = x.Rank == 0 ? 1 : x.Dim(-1);
        if (alpha.Size != 1 && (alpha.Size != c || x.Rank == 0))
            throw new ArgumentException($"PRelu: alpha has shape {ShapeUtil.Format(alpha.Shape)}; it needs one element or one per channel of the last axis of x {ShapeUtil.Format(x.Shape)} ({c}).", nameof(alpha));
        int channels = alpha.Size;
        int rows = c == 0 ? 0 : x.Size / c;
        var y = Tensor.Empty(x.ShapeRef);
        ReadOnlySpan<float> xs = x.Span, a = alpha.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++)
        {
            int o = r * c;
            for (int j = 0; j < c; j++)
            {
                float v = xs[o + j];
                ys[o + j] = v > 0f ? v : a[channels == 1 ? 0 : j] * v;
            }
        }
        if (Autograd.ShouldRecord(x, alpha))
        {
            y.Record("prelu", [x, alpha], g =>
            {
                ReadOnlySpan<float> xs = x.Span, a = alpha.Span, gs = g.Span;
                var gx = x.RequiresGrad ? x.GradSpanForAccumulate() : default;
                var ga = alpha.RequiresGrad ? alpha.GradSpanForAccumulate() : default;
                for (int r = 0; r < rows; r++)
                {
                    int o = r * c;
                    for (int j = 0; j < c; j++)
                    {
                        float v = xs[o + j], gv = gs[o + j];
                        int k = channels == 1 ? 0 : j;
                        if (v > 0f)
                        {
                            if (!gx.IsEmpty) gx[o + j] += gv;
                        }
                        else
                        {
                            if (!gx.IsEmpty) gx[o + j] += a[k] * gv;
                            if (!ga.IsEmpty) ga[k] += gv * v;
                        }
                    }
                }
            });
        }
        return y;
    }
}
