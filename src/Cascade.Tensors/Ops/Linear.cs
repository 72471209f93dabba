using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fully connected layer with fused bias: y = x · Wᵀ + b.
    /// x (…, In), weight (Out, In), bias (Out) or null → y (…, Out); leading axes are flattened into N rows,
    /// so the forward is one GEMM of (N, In)·(In, Out).
    /// Backward (three GEMM-shaped updates, all accumulating): dX += dY · W, dW += dYᵀ · X, db += Σ_rows dY.
    /// </summary>
    /// <example><code>var h = Ops.Linear(x, w, b);   // x (B, 64), w (32, 64), b (32) → (B, 32)</code></example>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        if (x.Rank < 1 || weight.Rank != 2 || x.Dim(-1) != weight.Dim(1))
            throw new ArgumentException($"Linear needs x (…, In) and weight (Out, In); got x {ShapeUtil.Format(x.Shape)}, weight {ShapeUtil.Format(weight.Shape)}.");
        int inF = weight.Dim(1), outF = weight.Dim(0);
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outF))
            throw new ArgumentException($"Linear bias must be ({outF}), got {ShapeUtil.Format(bias.Shape)}.");
        int rows = inF == 0 ? x.Size : x.Size / inF;
        Span<int> shape = x.Rank <= 8 ? stackalloc int[x.Rank] : new int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[^1] = outF;
        var y = Tensor.Empty(shape);
        var ys = y.Span;
        if (bias is not null)
        {
            // Seed every row with the bias and let the GEMM accumulate (beta = 1): no second pass over y.
            var bs = bias.Span;
            for (int r = 0; r < rows; r++) bs.CopyTo(ys.Slice(r * outF, outF));
        }
        Gemm.Sgemm(false, true, rows, outF, inF, 1f, x.Span, inF, weight.Span, inF, bias is null ? 0f : 1f, ys, outF);
        if (Autograd.ShouldRecord(x, weight) || (bias is not null && Autograd.ShouldRecord(bias))) RecordLinear(x, weight, bias, y, rows, inF, outF);
        return y;
    }

    // The backward closure lives here, not in Linear: C# allocates a lambda's captured state on entry to the method
    // that declares the captured variables, so inference (nothing recorded) would pay for it on every call.
    private static void RecordLinear(Tensor x, Tensor weight, Tensor? bias, Tensor y, int rows, int inF, int outF)
    {
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        y.Record("linear", inputs, g =>
        {
            var gs = g.Span; // (N, Out)
            if (x.RequiresGrad) Gemm.Sgemm(false, false, rows, inF, outF, 1f, gs, outF, weight.Span, inF, 1f, x.GradSpanForAccumulate(), inF);
            if (weight.RequiresGrad) Gemm.Sgemm(true, false, outF, inF, rows, 1f, gs, outF, x.Span, inF, 1f, weight.GradSpanForAccumulate(), inF);
            if (bias is not null && bias.RequiresGrad) FusedOpSupport.AddRowsInto(gs, rows, outF, bias.GradSpanForAccumulate());
        });
    }
}
