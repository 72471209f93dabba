namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// A view with a new shape and the same elements (one dimension may be −1 and is inferred). Shares storage.
    /// </summary>
    public static Tensor Reshape(Tensor x, ReadOnlySpan<int> shape)
    {
        Span<int> s = shape.Length <= 8 ? stackalloc int[shape.Length] : new int[shape.Length];
        shape.CopyTo(s);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape to {ShapeUtil.Format(s)}: only one dimension may be -1.");
                infer = i;
            }
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Size % known != 0) throw new ArgumentException($"Reshape of {ShapeUtil.Format(x.Shape)} to {ShapeUtil.Format(s)}: cannot infer the -1 dimension.");
            s[infer] = (int)(x.Size / known);
        }
        if (ShapeUtil.Numel(s) != x.Size)
            throw new ArgumentException($"Reshape of {ShapeUtil.Format(x.Shape)} ({x.Size} elements) to {ShapeUtil.Format(s)} ({ShapeUtil.Numel(s)} elements).");
        var y = Tensor.View(x._data, x._offset, s);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("reshape", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                System.Numerics.Tensors.TensorPrimitives.Add(gx, g.Span, gx);
            });
        }
        return y;
    }
}
