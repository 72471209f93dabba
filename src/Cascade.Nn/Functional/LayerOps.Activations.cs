using Cascade.Kernels;
using Cascade.Tensors;

namespace Cascade.Nn.Functional;

/// <summary>
/// Differentiable ops the layers need that the tensor core does not have yet (the op families being added to
/// Cascade.Tensors in parallel supersede these; layers switch to them when they land). Same pattern as Ops:
/// forward through a kernel, backward recorded with <see cref="Tensor.Record"/> and accumulated into the inputs.
/// </summary>
internal static partial class LayerOps
{
    /// <summary>tanh(x). Backward: dy · (1 − y²).</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.TanhForward(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("tanh", [x], g => Activations.TanhBackward(y.Span, g.Span, x.GradSpanForAccumulate()));
        return y;
    }

    /// <summary>x if x &gt; 0 else slope · x. Backward: dy · (x &gt; 0 ? 1 : slope).</summary>
    public static Tensor LeakyRelu(Tensor x, float slope)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.LeakyReluForward(x.Span, slope, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("leaky_relu", [x], g => Activations.LeakyReluBackward(x.Span, slope, g.Span, x.GradSpanForAccumulate()));
        return y;
    }

    /// <summary>
    /// PReLU with one learned slope per channel of the last axis: y = x if x &gt; 0 else α_c · x, x (…, C), α (C).
    /// Backward: dx = dy · (x &gt; 0 ? 1 : α_c); dα_c = Σ dy · x over elements with x ≤ 0.
    /// </summary>
    public static Tensor PRelu(Tensor x, Tensor alpha)
    {
        int c = alpha.Size;
        if (x.Rank == 0 || x.Dim(-1) != c)
            throw new ArgumentException($"PRelu: input {ShapeUtil.Format(x.Shape)} must end with the {c} channels of alpha.");
        var y = Tensor.Empty(x.ShapeRef);
        ReadOnlySpan<float> xs = x.Span, a = alpha.Span;
        var ys = y.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            float v = xs[i];
            ys[i] = v > 0f ? v : a[i % c] * v;
        }
        if (Autograd.ShouldRecord(x, alpha))
        {
            y.Record("prelu", [x, alpha], g =>
            {
                ReadOnlySpan<float> gs = g.Span, xv = x.Span, av = alpha.Span;
                if (x.RequiresGrad)
                {
                    var gx = x.GradSpanForAccumulate();
                    for (int i = 0; i < gs.Length; i++) gx[i] += xv[i] > 0f ? gs[i] : av[i % c] * gs[i];
                }
                if (alpha.RequiresGrad)
                {
                    var ga = alpha.GradSpanForAccumulate();
                    for (int i = 0; i < gs.Length; i++) if (xv[i] <= 0f) ga[i % c] += gs[i] * xv[i];
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Inverted dropout: each element is kept with probability 1 − p and scaled by 1 / (1 − p), so the expectation is
    /// unchanged and evaluation needs no rescaling. The mask comes from <paramref name="rng"/> (reproducible).
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, Rng rng)
    {
        if (p <= 0f) return x;
        if (p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        var mask = Tensor.Empty(x.ShapeRef);
        var ms = mask.Span;
        float scale = 1f / (1f - p);
        for (int i = 0; i < ms.Length; i++) ms[i] = rng.NextFloat() >= p ? scale : 0f;
        var y = Tensor.Empty(x.ShapeRef);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, ms, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("dropout", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g.Span, mask.Span, gx, gx);
            });
        }
        return y;
    }

    /// <summary>x · s + b for scalars s, b (no gradient to s or b). Used for 1 − p and similar affine maps.</summary>
    public static Tensor Affine(Tensor x, float scale, float shift)
    {
        var y = Tensor.Empty(x.ShapeRef);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, scale, y.Span);
        System.Numerics.Tensors.TensorPrimitives.Add(y.Span, shift, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("affine", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g.Span, scale, gx, gx);
            });
        }
        return y;
    }
}
