using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>Sum of all elements → scalar. Backward broadcasts the scalar gradient to every element.</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Empty([]);
        y.Span[0] = TensorPrimitives.Sum(x.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("sum", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.Add(gx, g.Span[0], gx);
            });
        }
        return y;
    }

    /// <summary>Mean of all elements → scalar.</summary>
    public static Tensor Mean(Tensor x)
    {
        var y = Tensor.Empty([]);
        float inv = x.Size == 0 ? float.NaN : 1f / x.Size;
        y.Span[0] = TensorPrimitives.Sum(x.Span) * inv;
        if (Autograd.ShouldRecord(x))
        {
            y.Record("mean", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.Add(gx, g.Span[0] * inv, gx);
            });
        }
        return y;
    }
}
