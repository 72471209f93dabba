using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Scaled dot-product attention, fused: for each batch item and head, S = scale · Q·Kᵀ (Lq, Lk),
    /// P = softmax over unmasked keys, O = P·V. q (B, H, Lq, Dh), k (B, H, Lk, Dh), v (B, H, Lk, Dv),
    /// keyMask (B, Lk) with nonzero = attend (null: all keys) → (B, H, Lq, Dv). scale defaults to 1/√Dh.
    /// A query whose keys are all masked gets P = 0, so its output row is zeros (and sends no gradient).
    /// Backward (P kept from the forward): dV += Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − Σ dP ⊙ P),
    /// dQ += scale · dS·K, dK += scale · dSᵀ·Q.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, IntTensor? keyMask = null, float? scale = null)
    {
        if (q.Rank != 4 || k.Rank != 4 || v.Rank != 4)
            throw new ArgumentException($"ScaledDotProductAttention needs rank-4 q, k, v (B, H, L, D); got {ShapeUtil.Format(q.Shape)}, {ShapeUtil.Format(k.Shape)}, {ShapeUtil.Format(v.Shape)}.");
        int bs = q.Dim(0), heads = q.Dim(1), lq = q.Dim(2), dh = q.Dim(3), lk = k.Dim(2), dv = v.Dim(3);
        if (k.Dim(0) != bs || k.Dim(1) != heads || k.Dim(3) != dh || v.Dim(0) != bs || v.Dim(1) != heads || v.Dim(2) != lk)
            throw new ArgumentException($"ScaledDotProductAttention: q {ShapeUtil.Format(q.Shape)}, k {ShapeUtil.Format(k.Shape)}, v {ShapeUtil.Format(v.Shape)} must be (B, H, Lq, Dh), (B, H, Lk, Dh), (B, H, Lk, Dv).");
        if (keyMask is not null && (keyMask.Rank != 2 || keyMask.Dim(0) != bs || keyMask.Dim(1) != lk))
            throw new ArgumentException($"ScaledDotProductAttention keyMask must be ({bs}, {lk}), got {ShapeUtil.Format(keyMask.Shape)}.");
        float sc = scale ?? 1f / MathF.Sqrt(Math.Max(dh, 1));
        // AutoInt's (2048, 2, 6, 16) makes 5 products of ≤ 6×16×6 per (row, head): the packed GEMM's per-call setup
        // and the per-row softmax dispatches dominated them, so tiny heads take the fused SmallAttention kernel.
        bool small = (long)lq * lk * Math.Max(dh, dv) <= SmallGemm.MaxMacs;
        if (small && lk <= 256) return SmallHeads(q, k, v, keyMask, sc, bs, heads, lq, lk, dh, dv);
        var y = Tensor.Empty([bs, heads, lq, dv]);
        var probs = Tensor.Empty([bs, heads, lq, lk]); // P, kept for backward
        var scores = Tensor.Empty([lq, lk]).Span;
        byte[] mask = keyMask is null ? [] : System.Buffers.ArrayPool<byte>.Shared.Rent(lq * lk);
        int qs = lq * dh, ks = lk * dh, vs = lk * dv, ps = lq * lk, os = lq * dv;
        for (int b = 0; b < bs; b++)
        {
            if (keyMask is not null)
                for (int i = 0; i < lq; i++)
                    for (int j = 0; j < lk; j++) mask[i * lk + j] = keyMask.Data[b * lk + j] != 0 ? (byte)1 : (byte)0;
            for (int h = 0; h < heads; h++)
            {
                int bh = b * heads + h;
                Mm(small, false, true, lq, lk, dh, sc, q.Span.Slice(bh * qs, qs), dh, k.Span.Slice(bh * ks, ks), dh, 0f, scores, lk);
                var p = probs.Span.Slice(bh * ps, ps);
                Kernels.Softmax.Forward(scores, p, lq, lk, keyMask is null ? default : mask.AsSpan(0, lq * lk));
                Mm(small, false, false, lq, dv, lk, 1f, p, lk, v.Span.Slice(bh * vs, vs), dv, 0f, y.Span.Slice(bh * os, os), dv);
            }
        }
        if (keyMask is not null) System.Buffers.ArrayPool<byte>.Shared.Return(mask);
        if (Autograd.ShouldRecord([q, k, v]))
        {
            y.Record("sdpa", [q, k, v], g =>
            {
                var dP = Tensor.Empty([lq, lk]).Span;
                var dS = Tensor.Empty([lq, lk]).Span;
                for (int bh = 0; bh < bs * heads; bh++)
                {
                    var p = probs.Span.Slice(bh * ps, ps);
                    var dO = g.Span.Slice(bh * os, os);
                    var vb = v.Span.Slice(bh * vs, vs);
                    if (v.RequiresGrad) Mm(small, true, false, lk, dv, lq, 1f, p, lk, dO, dv, 1f, v.GradSpanForAccumulate().Slice(bh * vs, vs), dv);
                    if (!q.RequiresGrad && !k.RequiresGrad) continue;
                    Mm(small, false, true, lq, lk, dv, 1f, dO, dv, vb, dv, 0f, dP, lk);
                    dS.Clear();
                    Kernels.Softmax.Backward(p, dP, dS, lq, lk);
                    if (q.RequiresGrad) Mm(small, false, false, lq, dh, lk, sc, dS, lk, k.Span.Slice(bh * ks, ks), dh, 1f, q.GradSpanForAccumulate().Slice(bh * qs, qs), dh);
                    if (k.RequiresGrad) Mm(small, true, false, lk, dh, lq, sc, dS, lk, q.Span.Slice(bh * qs, qs), dh, 1f, k.GradSpanForAccumulate().Slice(bh * ks, ks), dh);
                }
            });
        }
        return y;
    }

    /// <summary>Tiny heads: forward and backward over all (batch, head) pairs in one fused kernel call each.</summary>
    private static Tensor SmallHeads(Tensor q, Tensor k, Tensor v, IntTensor? keyMask, float sc, int bs, int heads, int lq, int lk, int dh, int dv)
    {
        var y = Tensor.Empty([bs, heads, lq, dv]);
        var probs = Tensor.Empty([bs, heads, lq, lk]); // P, kept for backward
        ReadOnlySpan<int> mask = keyMask is null ? default : keyMask.Data.AsSpan(0, bs * lk);
        SmallAttention.Forward(q.Span, k.Span, v.Span, mask, probs.Span, y.Span, bs, heads, lq, lk, dh, dv, sc);
        if (Autograd.ShouldRecord([q, k, v]))
            y.Record("sdpa", [q, k, v], g => SmallAttention.Backward(q.Span, k.Span, v.Span, probs.Span, g.Span,
                q.RequiresGrad ? q.GradSpanForAccumulate() : default, k.RequiresGrad ? k.GradSpanForAccumulate() : default,
                v.RequiresGrad ? v.GradSpanForAccumulate() : default, bs, heads, lq, lk, dh, dv, sc));
        return y;
    }

    /// <summary>One per-head product: <see cref="SmallGemm"/> for tiny heads, the packed <see cref="Gemm"/> otherwise.</summary>
    private static void Mm(bool small, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (small) SmallGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>(B, A, C, D) → (B, C, A, D) copy (swaps axes 1 and 2); backward is the same swap of the gradient.</summary>
    private static Tensor SwapAxes12(Tensor x)
    {
        int b = x.Dim(0), a = x.Dim(1), c = x.Dim(2), d = x.Dim(3);
        var y = Tensor.Empty([b, c, a, d]);
        Swap12(x.Span, y.Span, b, a, c, d, accumulate: false);
        if (Autograd.ShouldRecord(x))
            y.Record("swap_axes_1_2", [x], g => Swap12(g.Span, x.GradSpanForAccumulate(), b, c, a, d, accumulate: true));
        return y;
    }

    private static void Swap12(ReadOnlySpan<float> src, Span<float> dst, int b, int a, int c, int d, bool accumulate)
    {
        for (int i = 0; i < b; i++)
            for (int j = 0; j < a; j++)
                for (int l = 0; l < c; l++)
                {
                    var s = src.Slice(((i * a + j) * c + l) * d, d);
                    var t = dst.Slice(((i * c + l) * a + j) * d, d);
                    if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(t, s, t);
                    else s.CopyTo(t);
                }
    }
}
