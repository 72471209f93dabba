using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Matrix product of a (M, K) and b (K, N) → (M, N). Backward: dA = dY · Bᵀ, dB = Aᵀ · dY (both through
    /// the GEMM kernel with accumulation into the existing gradient, beta = 1).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Dim(1) != b.Dim(0))
            throw new ArgumentException($"MatMul needs (M, K)·(K, N); got {ShapeUtil.Format(a.Shape)}·{ShapeUtil.Format(b.Shape)}.");
        int m = a.Dim(0), k = a.Dim(1), n = b.Dim(1);
        var y = Tensor.Empty([m, n]);
        Gemm.Sgemm(false, false, m, n, k, 1f, a.Span, k, b.Span, n, 0f, y.Span, n);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("matmul", [a, b], g =>
            {
                if (a.RequiresGrad) Gemm.Sgemm(false, true, m, k, n, 1f, g.Span, n, b.Span, n, 1f, a.GradSpanForAccumulate(), k);
                if (b.RequiresGrad) Gemm.Sgemm(true, false, k, n, m, 1f, a.Span, k, g.Span, n, 1f, b.GradSpanForAccumulate(), n);
            });
        }
        return y;
    }
}
