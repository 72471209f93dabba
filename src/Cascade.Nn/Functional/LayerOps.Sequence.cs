using Cascade.Tensors;

namespace Cascade.Nn.Functional;

internal static partial class LayerOps
{
    /// <summary>Time step t of a sequence: x (B, L, D) → (B, D) (a copy). Backward adds into the step's slice.</summary>
    public static Tensor SelectStep(Tensor x, int t)
    {
        int b = x.Dim(0), l = x.Dim(1), d = x.Dim(2);
        var y = Tensor.Empty([b, d]);
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        for (int i = 0; i < b; i++) xs.Slice((i * l + t) * d, d).CopyTo(ys.Slice(i * d, d));
        if (Autograd.ShouldRecord(x))
        {
            y.Record("select_step", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                ReadOnlySpan<float> gs = g.Span;
                for (int i = 0; i < b; i++)
                {
                    var dst = gx.Slice((i * l + t) * d, d);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, gs.Slice(i * d, d), dst);
                }
            });
        }
        return y;
    }

    /// <summary>Stacks L tensors (B, D) along a new time axis → (B, L, D). Backward slices the gradient back.</summary>
    public static Tensor StackSteps(Tensor[] steps)
    {
        int l = steps.Length, b = steps[0].Dim(0), d = steps[0].Dim(1);
        var y = Tensor.Empty([b, l, d]);
        var ys = y.Span;
        for (int t = 0; t < l; t++)
        {
            ReadOnlySpan<float> s = steps[t].Span;
            for (int i = 0; i < b; i++) s.Slice(i * d, d).CopyTo(ys.Slice((i * l + t) * d, d));
        }
        if (Autograd.ShouldRecord(steps))
        {
            y.Record("stack_steps", steps, g =>
            {
                ReadOnlySpan<float> gs = g.Span;
                for (int t = 0; t < l; t++)
                {
                    if (!steps[t].RequiresGrad) continue;
                    var gt = steps[t].GradSpanForAccumulate();
                    for (int i = 0; i < b; i++)
                    {
                        var dst = gt.Slice(i * d, d);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, gs.Slice((i * l + t) * d, d), dst);
                    }
                }
            });
        }
        return y;
    }
}
