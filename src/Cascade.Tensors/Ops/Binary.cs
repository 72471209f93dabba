using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>Elementwise a − b with NumPy broadcasting. Backward: da += dy, db −= dy (each reduced over its broadcast axes).</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(a, b, TensorPrimitives.Subtract, TensorPrimitives.Subtract, TensorPrimitives.Subtract, static (x, r) => x - r);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("sub", [a, b], g =>
            {
                if (a.RequiresGrad) Broadcasting.AccumulateReduced(g.Span, g.ShapeRef, a.GradSpanForAccumulate(), a.ShapeRef);
                if (b.RequiresGrad)
                {
                    var ng = Tensor.Empty(g.ShapeRef);
                    TensorPrimitives.Negate(g.Span, ng.Span);
                    Broadcasting.AccumulateReduced(ng.Span, ng.ShapeRef, b.GradSpanForAccumulate(), b.ShapeRef);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Elementwise a / b with NumPy broadcasting. Backward: da += dy / b, db −= dy · y / b (= dy · a / b²), each
    /// reduced over its broadcast axes.
    /// </summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(a, b, TensorPrimitives.Divide, TensorPrimitives.Divide, TensorPrimitives.Divide, static (x, r) => x / r);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("div", [a, b], g =>
            {
                using var _ = Autograd.NoGrad();
                var gOverB = Div(g, b); // (broadcast shape)
                if (a.RequiresGrad) Broadcasting.AccumulateReduced(gOverB.Span, gOverB.ShapeRef, a.GradSpanForAccumulate(), a.ShapeRef);
                if (b.RequiresGrad)
                {
                    TensorPrimitives.Multiply(gOverB.Span, y.Span, gOverB.Span);
                    TensorPrimitives.Negate(gOverB.Span, gOverB.Span);
                    Broadcasting.AccumulateReduced(gOverB.Span, gOverB.ShapeRef, b.GradSpanForAccumulate(), b.ShapeRef);
                }
            });
        }
        return y;
    }

    /// <summary>y = −x, any shape. Backward: dx −= dy.</summary>
    public static Tensor Neg(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Negate(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("neg", [x], g => { var gx = x.GradSpanForAccumulate(); TensorPrimitives.Subtract(gx, g.Span, gx); });
        return y;
    }

    /// <summary>y = x + s, any shape. Backward: dx += dy.</summary>
    public static Tensor Add(Tensor x, float s)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Add(x.Span, s, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("add_scalar", [x], g => { var gx = x.GradSpanForAccumulate(); TensorPrimitives.Add(gx, g.Span, gx); });
        return y;
    }

    /// <summary>y = x − s, any shape (same as <c>Add(x, −s)</c>).</summary>
    public static Tensor Sub(Tensor x, float s) => Add(x, -s);

    /// <summary>y = s − x, any shape. Backward: dx −= dy.</summary>
    public static Tensor Sub(float s, Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Subtract(s, x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("rsub_scalar", [x], g => { var gx = x.GradSpanForAccumulate(); TensorPrimitives.Subtract(gx, g.Span, gx); });
        return y;
    }

    /// <summary>y = s · x, any shape. Backward: dx += s · dy.</summary>
    public static Tensor Mul(Tensor x, float s)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Multiply(x.Span, s, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("mul_scalar", [x], g => { var gx = x.GradSpanForAccumulate(); TensorPrimitives.MultiplyAdd(g.Span, s, gx, gx); });
        return y;
    }

    /// <summary>y = x / s, any shape (same as <c>Mul(x, 1/s)</c>).</summary>
    public static Tensor Div(Tensor x, float s) => Mul(x, 1f / s);

    /// <summary>y = s / x, any shape. Backward: dx −= dy · y / x (= dy · s / x²).</summary>
    public static Tensor Div(float s, Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Divide(s, x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("rdiv_scalar", [x], g =>
            {
                var t = Tensor.Empty(x.ShapeRef).Span;
                TensorPrimitives.Multiply(g.Span, y.Span, t);
                TensorPrimitives.Divide(t, x.Span, t);
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.Subtract(gx, t, gx);
            });
        }
        return y;
    }
}
