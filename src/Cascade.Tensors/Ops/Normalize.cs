using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Scales each vector along <paramref name="axis"/> to unit L2 norm: y = x / max(‖x‖₂, eps) (PyTorch
    /// <c>F.normalize</c>). Any shape; y has the shape of x. Backward with d = max(‖x‖, eps):
    /// dx += (dy − y · (dy · y)) / d when ‖x‖ &gt; eps, and dy / eps where the floor is active.
    /// </summary>
    /// <example><c>var u = Ops.L2Normalize(userTower);  // (B, D), rows of norm 1</c></example>
    public static Tensor L2Normalize(Tensor x, int axis = -1, float eps = 1e-12f)
    {
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = AxisLoops.Split(x.ShapeRef, a);
        var y = Tensor.Empty(x.ShapeRef);
        var inv = Tensor.Zeros([outer * inner]);    // 1 / max(‖x‖, eps) per vector
        var active = Tensor.Empty([outer * inner]); // 1 where ‖x‖ > eps (the projection term applies), else 0
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        var iv = inv.Span;
        var act = active.Span;
        if (inner == 1)
        {
            // Vectors along the last axis are contiguous rows: one norm and one scale per row.
            for (int o = 0; o < outer; o++)
            {
                var row = xs.Slice(o * n, n);
                float norm = TensorPrimitives.Norm(row);
                act[o] = norm > eps ? 1f : 0f;
                iv[o] = 1f / MathF.Max(norm, eps);
                TensorPrimitives.Multiply(row, iv[o], ys.Slice(o * n, n));
            }
        }
        else for (int o = 0; o < outer; o++)
        {
            var sq = iv.Slice(o * inner, inner); // Σₖ x² per vector, turned into 1/d below
            for (int k = 0; k < n; k++)
            {
                var row = xs.Slice((o * n + k) * inner, inner);
                TensorPrimitives.MultiplyAdd(row, row, sq, sq);
            }
            for (int i = 0; i < inner; i++)
            {
                float norm = MathF.Sqrt(sq[i]);
                act[o * inner + i] = norm > eps ? 1f : 0f;
                sq[i] = 1f / MathF.Max(norm, eps);
            }
            for (int k = 0; k < n; k++)
            {
                int off = (o * n + k) * inner;
                TensorPrimitives.Multiply(xs.Slice(off, inner), sq, ys.Slice(off, inner));
            }
        }
        if (Autograd.ShouldRecord(x)) RecordL2Normalize(x, y, inv, active, outer, n, inner);
        return y;
    }

    // Closures only when recording (C# allocates captured state on entry to the declaring method).
    private static void RecordL2Normalize(Tensor x, Tensor y, Tensor inv, Tensor active, int outer, int n, int inner)
    {
        y.Record("l2_normalize", [x], g =>
        {
            ReadOnlySpan<float> gs = g.Span, yv = y.Span, ivs = inv.Span, acts = active.Span;
            var gx = x.GradSpanForAccumulate();
            if (inner == 1)
            {
                var t = Tensor.Empty([n]).Span; // dy − y · (dy · y) for one row
                for (int o = 0; o < outer; o++)
                {
                    var gr = gs.Slice(o * n, n);
                    var yr = yv.Slice(o * n, n);
                    float rowDot = acts[o] * TensorPrimitives.Dot(gr, yr);
                    TensorPrimitives.MultiplyAdd(yr, -rowDot, gr, t);
                    TensorPrimitives.MultiplyAdd(t, ivs[o], gx.Slice(o * n, n), gx.Slice(o * n, n));
                }
                return;
            }
            var dot = Tensor.Empty([inner]).Span; // (dy · y) per vector of this outer block
            for (int o = 0; o < outer; o++)
            {
                dot.Clear();
                for (int k = 0; k < n; k++)
                {
                    int off = (o * n + k) * inner;
                    TensorPrimitives.MultiplyAdd(gs.Slice(off, inner), yv.Slice(off, inner), dot, dot);
                }
                TensorPrimitives.Multiply(dot, acts.Slice(o * inner, inner), dot);
                var ivo = ivs.Slice(o * inner, inner);
                for (int k = 0; k < n; k++)
                {
                    int off = (o * n + k) * inner;
                    for (int i = 0; i < inner; i++) gx[off + i] += (gs[off + i] - yv[off + i] * dot[i]) * ivo[i];
                }
            }
        });
    }

    /// <summary>
    /// Dot product along <paramref name="axis"/> of two same-shape tensors: y = Σₖ a[…, k, …] · b[…, k, …].
    /// (B, D)·(B, D) → (B); (B, L, D)·(B, L, D) → (B, L). Backward: da += dy · b, db += dy · a.
    /// </summary>
    public static Tensor BatchedDot(Tensor a, Tensor b, int axis = -1, bool keepDim = false)
    {
        if (!a.SameShape(b)) throw new ArgumentException($"BatchedDot needs equal shapes, got {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)}.", nameof(b));
        int ax = ShapeUtil.NormalizeAxis(axis, a.Rank);
        if (ax != a.Rank - 1) return Sum(Mul(a, b), ax, keepDim);
        int d = a.Dim(-1);
        int rows = d == 0 ? 0 : a.Size / d;
        var y = Tensor.Empty(AxisLoops.Reduced(a.ShapeRef, ax, keepDim));
        ReadOnlySpan<float> asp = a.Span, bsp = b.Span;
        var ys = y.Span;
        if (d == 0) ys.Clear();
        for (int r = 0; r < rows; r++) ys[r] = TensorPrimitives.Dot(asp.Slice(r * d, d), bsp.Slice(r * d, d));
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("batched_dot", [a, b], g =>
            {
                ReadOnlySpan<float> gs = g.Span;
                if (a.RequiresGrad)
                {
                    var ga = a.GradSpanForAccumulate();
                    for (int r = 0; r < rows; r++) TensorPrimitives.MultiplyAdd(b.Span.Slice(r * d, d), gs[r], ga.Slice(r * d, d), ga.Slice(r * d, d));
                }
                if (b.RequiresGrad)
                {
                    var gb = b.GradSpanForAccumulate();
                    for (int r = 0; r < rows; r++) TensorPrimitives.MultiplyAdd(a.Span.Slice(r * d, d), gs[r], gb.Slice(r * d, d), gb.Slice(r * d, d));
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Cosine similarity along <paramref name="axis"/>: y = Σ (a / max(‖a‖, eps)) · (b / max(‖b‖, eps)), each norm
    /// floored separately as in PyTorch ≥ 1.12. (B, D), (B, D) → (B). Composed from <see cref="L2Normalize"/> and
    /// <see cref="BatchedDot"/>, so the gradient follows from theirs.
    /// </summary>
    public static Tensor CosineSimilarity(Tensor a, Tensor b, int axis = -1, float eps = 1e-8f)
        => BatchedDot(L2Normalize(a, axis, eps), L2Normalize(b, axis, eps), axis);
}
