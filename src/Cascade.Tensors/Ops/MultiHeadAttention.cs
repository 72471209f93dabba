namespace Cascade.Tensors;

/// <summary>
/// Projection weights of multi-head attention (PyTorch layout, out × in): Wq (H·Dh, Eq), Wk (H·Dh, Ek),
/// Wv (H·Dv, Ev), Wo (Eo, H·Dv); each bias (rows of its weight) or null.
/// </summary>
/// <param name="Wq">Query projection (H·Dh, Eq).</param>
/// <param name="Bq">Query bias (H·Dh) or null.</param>
/// <param name="Wk">Key projection (H·Dh, Ek).</param>
/// <param name="Bk">Key bias (H·Dh) or null.</param>
/// <param name="Wv">Value projection (H·Dv, Ev).</param>
/// <param name="Bv">Value bias (H·Dv) or null.</param>
/// <param name="Wo">Output projection (Eo, H·Dv).</param>
/// <param name="Bo">Output bias (Eo) or null.</param>
public sealed record AttentionWeights(Tensor Wq, Tensor? Bq, Tensor Wk, Tensor? Bk, Tensor Wv, Tensor? Bv, Tensor Wo, Tensor? Bo);

public static partial class Ops
{
    /// <summary>
    /// Multi-head attention composed from <see cref="Linear"/>, a head split, <see cref="ScaledDotProductAttention"/>
    /// and a head merge: Q = query·Wqᵀ + bq, K = key·Wkᵀ + bk, V = value·Wvᵀ + bv, split into H heads,
    /// O_h = softmax(Q_h K_hᵀ / √Dh) V_h over unmasked keys, y = concat_h(O_h)·Woᵀ + bo.
    /// query (B, Lq, Eq), key (B, Lk, Ek), value (B, Lk, Ev), keyMask (B, Lk) nonzero = attend → (B, Lq, Eo).
    /// </summary>
    /// <example><code>var y = Ops.MultiHeadAttention(x, x, x, w, heads: 4, keyMask: mask);   // self-attention</code></example>
    public static Tensor MultiHeadAttention(Tensor query, Tensor key, Tensor value, AttentionWeights weights, int heads, IntTensor? keyMask = null)
    {
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3)
            throw new ArgumentException($"MultiHeadAttention needs (B, L, E) inputs; got {ShapeUtil.Format(query.Shape)}, {ShapeUtil.Format(key.Shape)}, {ShapeUtil.Format(value.Shape)}.");
        if (heads < 1 || weights.Wq.Dim(0) % heads != 0 || weights.Wv.Dim(0) % heads != 0 || weights.Wk.Dim(0) != weights.Wq.Dim(0))
            throw new ArgumentException($"MultiHeadAttention: {heads} heads must divide the projection widths (Wq {ShapeUtil.Format(weights.Wq.Shape)}, Wk {ShapeUtil.Format(weights.Wk.Shape)}, Wv {ShapeUtil.Format(weights.Wv.Shape)}), and Wq, Wk must match.");
        var q = SplitHeads(Linear(query, weights.Wq, weights.Bq), heads);   // (B, H, Lq, Dh)
        var k = SplitHeads(Linear(key, weights.Wk, weights.Bk), heads);     // (B, H, Lk, Dh)
        var v = SplitHeads(Linear(value, weights.Wv, weights.Bv), heads);   // (B, H, Lk, Dv)
        var o = ScaledDotProductAttention(q, k, v, keyMask);                // (B, H, Lq, Dv)
        var merged = SwapAxes12(o);                                         // (B, Lq, H, Dv)
        var flat = Reshape(merged, [merged.Dim(0), merged.Dim(1), merged.Dim(2) * merged.Dim(3)]);
        return Linear(flat, weights.Wo, weights.Bo);                        // (B, Lq, Eo)
    }

    /// <summary>(B, L, H·D) → (B, H, L, D).</summary>
    private static Tensor SplitHeads(Tensor x, int heads)
    {
        int b = x.Dim(0), l = x.Dim(1), d = x.Dim(2) / heads;
        return SwapAxes12(Reshape(x, [b, l, heads, d]));
    }
}
