using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Batched matrix product over the leading axes: a (…, M, K) · b (…, K, N) → (…, M, N), where b's leading axes
    /// equal a's; or a (…, M, K) · b (K, N) → (…, M, N) with one weight shared by every batch item (done as a
    /// single (… · M, K)·(K, N) GEMM). With <paramref name="transposeB"/>, b is stored (…, N, K) or (N, K) and used
    /// transposed (attention's Q·Kᵀ without a copy). Backward per batch item: dA += dY · op(B)ᵀ,
    /// dB += Aᵀ · dY (or dYᵀ · A when transposed); the shared-weight gradient is one GEMM over all items.
    /// </summary>
    /// <example><code>var scores = Ops.BatchMatMul(q, k, transposeB: true);   // (B, Lq, D)·(B, Lk, D)ᵀ → (B, Lq, Lk)</code></example>
    public static Tensor BatchMatMul(Tensor a, Tensor b, bool transposeB = false)
    {
        if (a.Rank < 2 || b.Rank < 2) throw new ArgumentException($"BatchMatMul needs matrices; got {ShapeUtil.Format(a.Shape)}·{ShapeUtil.Format(b.Shape)}.");
        int m = a.Dim(-2), k = a.Dim(-1);
        int n = transposeB ? b.Dim(-2) : b.Dim(-1), kb = transposeB ? b.Dim(-1) : b.Dim(-2);
        bool shared = b.Rank == 2;
        bool leadingMatch = shared || (b.Rank == a.Rank && a.Shape[..^2].SequenceEqual(b.Shape[..^2]));
        if (kb != k || !leadingMatch)
            throw new ArgumentException($"BatchMatMul{(transposeB ? " (b transposed)" : "")}: cannot multiply {ShapeUtil.Format(a.Shape)} by {ShapeUtil.Format(b.Shape)}; "
                + "need a (…, M, K) and b (…, K, N) or (K, N) (b (…, N, K) or (N, K) when transposed) with the same leading axes.");
        int batch = m * k == 0 ? ShapeUtil.Numel(a.Shape[..^2]) : a.Size / (m * k);
        var shape = a.ShapeArray;
        shape[^1] = n;
        var y = Tensor.Empty(shape);
        int ldb = transposeB ? k : n;
        if (shared) Gemm.Sgemm(false, transposeB, batch * m, n, k, 1f, a.Span, k, b.Span, ldb, 0f, y.Span, n);
        else
        {
            for (int i = 0; i < batch; i++)
                Gemm.Sgemm(false, transposeB, m, n, k, 1f, a.Span.Slice(i * m * k, m * k), k, b.Span.Slice(i * k * n, k * n), ldb, 0f, y.Span.Slice(i * m * n, m * n), n);
        }
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record(transposeB ? "batch_matmul_tb" : "batch_matmul", [a, b], g =>
            {
                ReadOnlySpan<float> gs = g.Span;
                if (a.RequiresGrad)
                {
                    // dA (m×k) = dY (m×n) · op(B)ᵀ: op(B)ᵀ is B itself when transposed (n×k), else Bᵀ.
                    var ga = a.GradSpanForAccumulate();
                    if (shared) Gemm.Sgemm(false, !transposeB, batch * m, k, n, 1f, gs, n, b.Span, ldb, 1f, ga, k);
                    else
                        for (int i = 0; i < batch; i++)
                            Gemm.Sgemm(false, !transposeB, m, k, n, 1f, gs.Slice(i * m * n, m * n), n, b.Span.Slice(i * k * n, k * n), ldb, 1f, ga.Slice(i * m * k, m * k), k);
                }
                if (b.RequiresGrad)
                {
                    var gb = b.GradSpanForAccumulate();
                    int rows = shared ? batch * m : m;
                    int count = shared ? 1 : batch;
                    for (int i = 0; i < count; i++)
                    {
                        var ai = a.Span.Slice(i * m * k, rows * k);
                        var gi = gs.Slice(i * m * n, rows * n);
                        var gbi = gb.Slice(i * k * n, k * n);
                        if (transposeB) Gemm.Sgemm(true, false, n, k, rows, 1f, gi, n, ai, k, 1f, gbi, k);   // dB (n×k) = dYᵀ · A
                        else Gemm.Sgemm(true, false, k, n, rows, 1f, ai, k, gi, n, 1f, gbi, n);              // dB (k×n) = Aᵀ · dY
                    }
                }
            });
        }
        return y;
    }

    /// <summary>a (…, M, K) · b(…, N, K)ᵀ → (…, M, N); shorthand for <see cref="BatchMatMul"/> with transposeB.</summary>
    public static Tensor MatMulTransposeB(Tensor a, Tensor b) => BatchMatMul(a, b, transposeB: true);
}
