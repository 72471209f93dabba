using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Joins tensors along <paramref name="axis"/>: all shapes equal except on that axis, whose lengths add up.
    /// (…, n₁, …) ⊕ (…, n₂, …) → (…, n₁ + n₂, …). Backward hands each input its block of dy.
    /// </summary>
    /// <example><c>Ops.Concat([user, ad], axis: -1)  // (B, D₁), (B, D₂) → (B, D₁ + D₂)</c></example>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        int a = ShapeUtil.NormalizeAxis(axis, first.Rank);
        Span<int> shape = first.Rank <= 8 ? stackalloc int[first.Rank] : new int[first.Rank];
        first.Shape.CopyTo(shape);
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            var s = tensors[t].Shape;
            bool ok = s.Length == shape.Length;
            for (int i = 0; ok && i < s.Length; i++) ok = i == a || s[i] == shape[i];
            if (!ok) throw new ArgumentException($"Concat along axis {axis}: tensor {t} has shape {ShapeUtil.Format(s)}, incompatible with tensor 0 {ShapeUtil.Format(first.Shape)}.", nameof(tensors));
            total += s[a];
        }
        shape[a] = total;
        var y = Tensor.Empty(shape);
        var (outer, _, inner) = AxisLoops.Split(y.ShapeRef, a);
        int yRow = total * inner; // floats per outer index in y
        var ys = y.Span;
        int at = 0;
        bool record = false;
        for (int t = 0; t < tensors.Count; t++)
        {
            int w = tensors[t].Dim(a) * inner;
            var xs = tensors[t].Span;
            for (int o = 0; o < outer; o++) xs.Slice(o * w, w).CopyTo(ys.Slice(o * yRow + at, w));
            at += w;
            record |= Autograd.ShouldRecord(tensors[t]);
        }
        if (record) RecordConcat(tensors, a, y, outer, inner, yRow);
        return y;
    }

    // Closures, the input array and the widths only when recording (C# allocates captured state on entry to the
    // declaring method, so inference would otherwise pay for them on every call).
    private static void RecordConcat(IReadOnlyList<Tensor> tensors, int a, Tensor y, int outer, int inner, int yRow)
    {
        var inputs = tensors.ToArray();
        var widths = new int[inputs.Length];
        for (int t = 0; t < inputs.Length; t++) widths[t] = inputs[t].Dim(a) * inner;
        y.Record("concat", inputs, g =>
        {
            var gs = g.Span;
            int at = 0;
            for (int t = 0; t < inputs.Length; t++)
            {
                int w = widths[t];
                if (inputs[t].RequiresGrad)
                {
                    var gx = inputs[t].GradSpanForAccumulate();
                    for (int o = 0; o < outer; o++) TensorPrimitives.Add(gx.Slice(o * w, w), gs.Slice(o * yRow + at, w), gx.Slice(o * w, w));
                }
                at += w;
            }
        });
    }

    /// <summary>
    /// Cuts <paramref name="x"/> along <paramref name="axis"/> into pieces of the given lengths (they must add up to
    /// the axis length). Pieces along axis 0 are views; other axes copy. Each piece is differentiable on its own.
    /// </summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int axis)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        long sum = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new ArgumentException($"Split sizes [{string.Join(", ", sizes)}] contain a negative length.", nameof(sizes));
            sum += s;
        }
        if (sum != x.Dim(a)) throw new ArgumentException($"Split sizes [{string.Join(", ", sizes)}] add up to {sum}, but axis {axis} of {ShapeUtil.Format(x.Shape)} has length {x.Dim(a)}.", nameof(sizes));
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Slice(x, a, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>
    /// Elements [start, start + length) along <paramref name="axis"/>: (…, n, …) → (…, length, …). Along axis 0 the
    /// result is a view sharing storage with x (no copy); along other axes it is a copy. Backward adds dy into the
    /// matching block of dx.
    /// </summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        int n = x.Dim(a);
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {axis} of {ShapeUtil.Format(x.Shape)} (length {n}).");
        Span<int> shape = x.Rank <= 8 ? stackalloc int[x.Rank] : new int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[a] = length;
        var (outer, _, inner) = AxisLoops.Split(x.ShapeRef, a);
        Tensor y;
        if (a == 0)
        {
            y = Tensor.View(x._data, x._offset + start * inner, shape);
        }
        else
        {
            y = Tensor.Empty(shape);
            var xs = x.Span;
            var ys = y.Span;
            int w = length * inner;
            for (int o = 0; o < outer; o++) xs.Slice((o * n + start) * inner, w).CopyTo(ys.Slice(o * w, w));
        }
        if (Autograd.ShouldRecord(x))
        {
            y.Record("slice", [x], g =>
            {
                var gs = g.Span;
                var gx = x.GradSpanForAccumulate();
                int w = length * inner;
                for (int o = 0; o < outer; o++)
                {
                    var d = gx.Slice((o * n + start) * inner, w);
                    TensorPrimitives.Add(d, gs.Slice(o * w, w), d);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Reorders axes (a copy): y has shape (d[perm[0]], d[perm[1]], …) and y[i₀, i₁, …] = x at index with axis
    /// perm[k] = iₖ. Backward applies the inverse permutation to dy.
    /// </summary>
    /// <example><c>Ops.Permute(x, [0, 2, 1, 3])  // (B, L, H, D) → (B, H, L, D)</c></example>
    public static Tensor Permute(Tensor x, int[] perm)
    {
        if (perm.Length != x.Rank) throw new ArgumentException($"Permute of {ShapeUtil.Format(x.Shape)} needs {x.Rank} axes, got [{string.Join(", ", perm)}].", nameof(perm));
        var p = new int[perm.Length];
        var seen = new bool[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            int ax = ShapeUtil.NormalizeAxis(perm[i], x.Rank);
            if (seen[ax]) throw new ArgumentException($"Permute axes [{string.Join(", ", perm)}] repeat axis {ax}.", nameof(perm));
            seen[ax] = true;
            p[i] = ax;
        }
        var y = Tensor.Empty(AxisLoops.Permuted(x.ShapeRef, p));
        AxisLoops.Permute(x.Span, x.ShapeRef, p, y.Span, accumulate: false);
        if (Autograd.ShouldRecord(x))
        {
            var inverse = new int[p.Length];
            for (int i = 0; i < p.Length; i++) inverse[p[i]] = i;
            y.Record("permute", [x], g => AxisLoops.Permute(g.Span, g.ShapeRef, inverse, x.GradSpanForAccumulate(), accumulate: true));
        }
        return y;
    }

    /// <summary>Swaps two axes (a copy); (…, dₐ, …, d_b, …) → (…, d_b, …, dₐ, …).</summary>
    public static Tensor Transpose(Tensor x, int axis1, int axis2)
    {
        int a1 = ShapeUtil.NormalizeAxis(axis1, x.Rank), a2 = ShapeUtil.NormalizeAxis(axis2, x.Rank);
        var perm = new int[x.Rank];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        (perm[a1], perm[a2]) = (perm[a2], perm[a1]);
        return Permute(x, perm);
    }

    /// <summary>Inserts an axis of length 1 at <paramref name="axis"/> (−1 appends); a view.</summary>
    public static Tensor Unsqueeze(Tensor x, int axis)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank + 1);
        var shape = new int[x.Rank + 1];
        for (int i = 0, j = 0; i < shape.Length; i++) shape[i] = i == a ? 1 : x.ShapeRef[j++];
        return Reshape(x, shape);
    }

    /// <summary>Removes axis <paramref name="axis"/>, which must have length 1; a view.</summary>
    public static Tensor Squeeze(Tensor x, int axis)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        if (x.Dim(a) != 1) throw new ArgumentException($"Squeeze axis {axis} of {ShapeUtil.Format(x.Shape)}: its length is {x.Dim(a)}, not 1.", nameof(axis));
        return Reshape(x, AxisLoops.Reduced(x.ShapeRef, a, keepDim: false));
    }

    /// <summary>Removes every axis of length 1; a view.</summary>
    public static Tensor Squeeze(Tensor x)
    {
        var shape = new List<int>(x.Rank);
        foreach (int d in x.Shape) if (d != 1) shape.Add(d);
        return Reshape(x, shape.ToArray());
    }

    /// <summary>
    /// Materialises x broadcast to <paramref name="shape"/> (NumPy rules; a copy). Backward sums dy over the
    /// broadcast axes. Prefer the broadcasting binary ops, which never materialise.
    /// </summary>
    public static Tensor BroadcastTo(Tensor x, ReadOnlySpan<int> shape)
    {
        var target = shape.ToArray();
        var joined = ShapeUtil.BroadcastShapes(x.Shape, target);
        if (!joined.AsSpan().SequenceEqual(target))
            throw new ArgumentException($"BroadcastTo: {ShapeUtil.Format(x.Shape)} does not broadcast to {ShapeUtil.Format(target)}.", nameof(shape));
        var y = Tensor.Zeros(target);
        AxisLoops.AddBroadcast(x.Span, x.ShapeRef, y.Span, target);
        if (Autograd.ShouldRecord(x))
            y.Record("broadcast_to", [x], g => Broadcasting.AccumulateReduced(g.Span, g.ShapeRef, x.GradSpanForAccumulate(), x.ShapeRef));
        return y;
    }
}
