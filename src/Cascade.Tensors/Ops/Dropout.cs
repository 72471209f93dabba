namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout, any shape: in training each element is kept with probability 1 − p and scaled by 1/(1 − p),
    /// so the expected output equals x and evaluation needs no rescaling; in evaluation (or when p = 0) it returns x
    /// itself. The scaled mask m ∈ {0, 1/(1 − p)} is drawn once from <paramref name="rng"/> and reused by the
    /// backward pass: dx += dy ⊙ m.
    /// </summary>
    /// <example><c>var h = Ops.Dropout(Ops.Relu(z), 0.1f, training: true, rng);</c></example>
    public static Tensor Dropout(Tensor x, float p, bool training, Rng rng)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1), got {p}.");
        ArgumentNullException.ThrowIfNull(rng);
        if (!training || p == 0f) return x;
        var mask = DropoutMask(x, p, rng);
        var y = Tensor.Empty(x.ShapeRef);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, mask.Span, y.Span);
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

    /// <summary>
    /// relu(x) followed by <see cref="Dropout"/>, fused (docs/design/fused-ops.md): one output buffer, one mask and
    /// one tape node instead of two of each. Same values, gradients and random stream as
    /// <c>Dropout(Relu(x), p, training, rng)</c>; in evaluation (or with p = 0) it is <see cref="Relu"/>.
    /// </summary>
    /// <example><c>var h = Ops.ReluDropout(Ops.Linear(x, w, b), 0.1f, training: true, rng);</c></example>
    public static Tensor ReluDropout(Tensor x, float p, bool training, Rng rng)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1), got {p}.");
        ArgumentNullException.ThrowIfNull(rng);
        if (!training || p == 0f) return Relu(x);
        var mask = DropoutMask(x, p, rng);
        var y = Tensor.Empty(x.ShapeRef);
        Kernels.DropoutKernels.ReluDropoutForward(x.Span, mask.Span, y.Span); // mask becomes (x > 0) · m
        if (Autograd.ShouldRecord(x))
        {
            y.Record("relu_dropout", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g.Span, mask.Span, gx, gx);
            });
        }
        return y;
    }

    /// <summary>The scaled mask m ∈ {0, 1/(1 − p)} of x's shape; a drop happens when a 32-bit uniform is below p · 2³² (resolution 2.3e-10).</summary>
    private static Tensor DropoutMask(Tensor x, float p, Rng rng)
    {
        var mask = Tensor.Empty(x.ShapeRef);
        uint threshold = (uint)Math.Min(uint.MaxValue, (double)p * 4294967296.0);
        rng.FillDropoutMask(mask.Span, threshold, 1f / (1f - p));
        return mask;
    }
}
