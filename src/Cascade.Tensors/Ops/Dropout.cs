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
        var mask = Tensor.Empty(x.ShapeRef);
        var m = mask.Span;
        float scale = 1f / (1f - p);
        // Two 32-bit uniforms per 64-bit draw: a drop happens when u < p · 2³², resolution 2.3e-10.
        uint threshold = (uint)Math.Min(uint.MaxValue, (double)p * 4294967296.0);
        int i = 0;
        for (; i + 1 < m.Length; i += 2)
        {
            ulong bits = rng.NextUInt64();
            m[i] = (uint)bits < threshold ? 0f : scale;
            m[i + 1] = (uint)(bits >> 32) < threshold ? 0f : scale;
        }
        if (i < m.Length) m[i] = (uint)rng.NextUInt64() < threshold ? 0f : scale;
        var y = Tensor.Empty(x.ShapeRef);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, m, y.Span);
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
}
