using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// The FM second-order term (Rendle 2010, Eq. 5; DeepFM Eq. 2), Σ_{i&lt;j} ⟨e_i, e_j⟩ in O(F·D) as
    /// 0.5 · Σ_d ((Σ_f e_fd)² − Σ_f e_fd²), fused: one kernel pass forward, one backward
    /// (de_fd += dy · (Σ_f' e_f'd − e_fd)), one tape node. e (B, F, D) → (B).
    /// Equals <c>0.5 · Sum(Sub(Square(Sum(e, 1)), Sum(Square(e), 1)), 1)</c> up to float rounding order.
    /// </summary>
    /// <example><c>var y = Ops.FactorizationMachine(fields); // (B, 6, 32) → (B)</c></example>
    public static Tensor FactorizationMachine(Tensor fields)
    {
        if (fields.Rank != 3) throw new ArgumentException($"FactorizationMachine needs (B, F, D) field embeddings, got {ShapeUtil.Format(fields.Shape)}.", nameof(fields));
        int batch = fields.Dim(0), count = fields.Dim(1), dim = fields.Dim(2);
        var y = Tensor.Empty([batch]);
        FactorizationMachineKernel.Forward(fields.Span, batch, count, dim, y.Span);
        if (Autograd.ShouldRecord(fields))
            y.Record("factorization_machine", [fields], g =>
                FactorizationMachineKernel.Backward(fields.Span, g.Span, batch, count, dim, fields.GradSpanForAccumulate()));
        return y;
    }
}
