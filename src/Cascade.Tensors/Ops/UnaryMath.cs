using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>y = eˣ, any shape. Backward: dx += dy · y.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Exp(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
            y.Record("exp", [x], g => { var gx = x.GradSpanForAccumulate(); TensorPrimitives.MultiplyAdd(g.Span, y.Span, gx, gx); });
        return y;
    }

    /// <summary>y = ln x (NaN for x &lt; 0, −∞ at 0), any shape. Backward: dx += dy / x.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Log(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("log", [x], g =>
            {
                var t = Tensor.Empty(x.ShapeRef).Span;
                TensorPrimitives.Divide(g.Span, x.Span, t);
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.Add(gx, t, gx);
            });
        }
        return y;
    }

    /// <summary>y = √x, any shape. Backward: dx += dy / (2y).</summary>
    public static Tensor Sqrt(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Sqrt(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("sqrt", [x], g =>
            {
                var t = Tensor.Empty(x.ShapeRef).Span;
                TensorPrimitives.Divide(g.Span, y.Span, t);
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.MultiplyAdd(t, 0.5f, gx, gx);
            });
        }
        return y;
    }

    /// <summary>
    /// y = x^p for a scalar exponent p, any shape (x must be positive unless p is an integer). Backward:
    /// dx += dy · p · x^(p−1). p = 2 avoids the power function.
    /// </summary>
    public static Tensor Pow(Tensor x, float p)
    {
        var y = Tensor.Empty(x.ShapeRef);
        if (p == 2f) TensorPrimitives.Multiply(x.Span, x.Span, y.Span);
        else TensorPrimitives.Pow(x.Span, p, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("pow", [x], g =>
            {
                var t = Tensor.Empty(x.ShapeRef).Span;
                if (p == 2f) x.Span.CopyTo(t);
                else TensorPrimitives.Pow(x.Span, p - 1f, t);
                TensorPrimitives.Multiply(t, g.Span, t);
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.MultiplyAdd(t, p, gx, gx);
            });
        }
        return y;
    }

    /// <summary>y = |x|, any shape. Backward: dx += dy · sign(x) (0 at x = 0).</summary>
    public static Tensor Abs(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Abs(x.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("abs", [x], g =>
            {
                ReadOnlySpan<float> xs = x.Span, gs = g.Span;
                var gx = x.GradSpanForAccumulate();
                for (int i = 0; i < gx.Length; i++) gx[i] += xs[i] > 0f ? gs[i] : xs[i] < 0f ? -gs[i] : 0f;
            });
        }
        return y;
    }

    /// <summary>
    /// y = min(max(x, min), max), any shape; either bound may be infinite. Backward: dx += dy where
    /// min ≤ x ≤ max (the gradient is cut where the clamp is active).
    /// </summary>
    public static Tensor Clamp(Tensor x, float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} is greater than max {max}.", nameof(min));
        var y = Tensor.Empty(x.ShapeRef);
        TensorPrimitives.Max(x.Span, min, y.Span);
        TensorPrimitives.Min(y.Span, max, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("clamp", [x], g =>
            {
                ReadOnlySpan<float> xs = x.Span, gs = g.Span;
                var gx = x.GradSpanForAccumulate();
                for (int i = 0; i < gx.Length; i++) if (xs[i] >= min && xs[i] <= max) gx[i] += gs[i];
            });
        }
        return y;
    }
}
