using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>max(x, 0). Backward passes the gradient where the output is positive.</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Max(x.Span, 0f, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("relu", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                ReadOnlySpan<float> ys = y.Span, gs = g.Span;
                for (int i = 0; i < gs.Length; i++) if (ys[i] > 0f) gx[i] += gs[i];
            });
        }
        return y;
    }

    /// <summary>1 / (1 + e^(−x)). Backward: dy · y · (1 − y).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Sigmoid(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("sigmoid", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                ReadOnlySpan<float> ys = y.Span, gs = g.Span;
                for (int i = 0; i < gs.Length; i++) gx[i] += gs[i] * ys[i] * (1f - ys[i]);
            });
        }
        return y;
    }
}
