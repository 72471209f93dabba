using System.Numerics.Tensors;
using Cascade.Kernels;

namespace Cascade.Tensors;

/// <summary>
/// GRU parameters in PyTorch layout (H = hidden width) with gate blocks in the order [r, z, n]: WIh (3H, In),
/// WHh (3H, H), BIh (3H) or null, BHh (3H) or null; weights saved from PyTorch's nn.GRU load unchanged.
/// </summary>
/// <param name="WIh">Input-to-hidden weights (3H, In).</param>
/// <param name="WHh">Hidden-to-hidden weights (3H, H).</param>
/// <param name="BIh">Input bias (3H) or null.</param>
/// <param name="BHh">Hidden bias (3H) or null (kept apart from BIh because it sits inside r ⊙ (·) for n).</param>
public sealed record GruWeights(Tensor WIh, Tensor WHh, Tensor? BIh, Tensor? BHh);

/// <summary>Outputs of a recurrent op: every step's state and each sequence's final state.</summary>
/// <param name="Outputs">(B, L, H) state after each step; past a sequence's length it repeats the last valid state.</param>
/// <param name="Final">(B, H) state at each sequence's own last valid step (h0, or zeros, for length 0).</param>
public readonly record struct RecurrentOutput(Tensor Outputs, Tensor Final);

public static partial class Ops
{
    /// <summary>
    /// Gated recurrent unit over masked variable-length sequences, fused over the whole sequence (PyTorch equations):
    /// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
    /// x (B, L, In), lengths (B) in [0, L] or null, h0 (B, H) or null (zeros) → <see cref="RecurrentOutput"/>.
    /// Steps t ≥ lengths[b] keep the state unchanged. Instead of lengths, <paramref name="mask"/> (B, L) (nonzero =
    /// valid step) may mark the valid steps, holes included; with neither, every step is valid.
    /// The input projections of all steps are one GEMM (B·L, In)·(In, 3H); each step adds one (B, H)·(H, 3H) GEMM.
    /// Backward is hand-written BPTT with gradients for x, all weights and biases and h0.
    /// </summary>
    /// <example><code>var (states, last) = Ops.Gru(behaviours, lengths, w);   // (B, L, In) → (B, L, H), (B, H)</code></example>
    /// <param name="x">Inputs (B, L, In).</param>
    /// <param name="lengths">Valid steps per sequence (B), or null.</param>
    /// <param name="weights">Gate weights and biases.</param>
    /// <param name="h0">Initial state (B, H), or null for zeros.</param>
    /// <param name="mask">Valid-step mask (B, L) used instead of <paramref name="lengths"/>, or null.</param>
    public static RecurrentOutput Gru(Tensor x, IntTensor? lengths, GruWeights weights, Tensor? h0 = null, IntTensor? mask = null)
        => RecurrentGru(x, null, lengths, mask, weights, h0);

    /// <summary>
    /// GRU with attentional update gate (AUGRU, DIEN Eq. (6)): with the update gate u = 1 − z that weights the new
    /// candidate, u' = a_t · u and h' = (1 − u') ⊙ h + u' ⊙ n, i.e. h' = h + a_t(1 − z) ⊙ (n − h); a_t = 1 recovers
    /// <see cref="Gru"/>, a_t = 0 keeps the state. attention (B, L) (e.g. softmax scores of each behaviour against
    /// the target ad) receives gradients too. Other shapes and masking as in <see cref="Gru"/>.
    /// </summary>
    /// <param name="x">Inputs (B, L, In).</param>
    /// <param name="attention">Attention score per step (B, L).</param>
    /// <param name="lengths">Valid steps per sequence (B), or null.</param>
    /// <param name="weights">Gate weights and biases.</param>
    /// <param name="h0">Initial state (B, H), or null for zeros.</param>
    /// <param name="mask">Valid-step mask (B, L) used instead of <paramref name="lengths"/>, or null.</param>
    public static RecurrentOutput AuGru(Tensor x, Tensor attention, IntTensor? lengths, GruWeights weights, Tensor? h0 = null, IntTensor? mask = null)
    {
        if (attention.Rank != 2 || x.Rank != 3 || attention.Dim(0) != x.Dim(0) || attention.Dim(1) != x.Dim(1))
            throw new ArgumentException($"AuGru attention must be (B, L) = ({(x.Rank == 3 ? x.Dim(0) : -1)}, {(x.Rank == 3 ? x.Dim(1) : -1)}), got {ShapeUtil.Format(attention.Shape)}.");
        return RecurrentGru(x, attention, lengths, mask, weights, h0);
    }

    private static RecurrentOutput RecurrentGru(Tensor x, Tensor? att, IntTensor? lengths, IntTensor? mask, GruWeights w, Tensor? h0)
    {
        var gs = GruShapes.Validate(x, lengths, mask, w, h0);
        var outputs = Tensor.Empty([gs.B, gs.L, gs.H]);
        var saved = new GruSaved(gs);
        GruForward(x, att, w, h0, gs, outputs.Span, saved);
        var list = new List<Tensor>(7) { x, w.WIh, w.WHh };
        if (att is not null) list.Add(att);
        if (w.BIh is not null) list.Add(w.BIh);
        if (w.BHh is not null) list.Add(w.BHh);
        if (h0 is not null) list.Add(h0);
        var inputs = list.ToArray();
        if (Autograd.ShouldRecord(inputs))
            outputs.Record(att is null ? "gru" : "augru", inputs, g => GruBackward(g.Span, x, att, w, h0, gs, saved));
        return new RecurrentOutput(outputs, GruLastState(outputs, h0));
    }

    /// <summary>Per-call dimensions and the valid steps, Active[b·L + t] (validated).</summary>
    private sealed record GruShapes(int B, int L, int In, int H, bool[] Active)
    {
        public static GruShapes Validate(Tensor x, IntTensor? lengths, IntTensor? mask, GruWeights w, Tensor? h0)
        {
            if (x.Rank != 3) throw new ArgumentException($"Gru needs x (B, L, In), got {ShapeUtil.Format(x.Shape)}.");
            int b = x.Dim(0), l = x.Dim(1), inF = x.Dim(2);
            if (w.WHh.Rank != 2 || w.WHh.Dim(0) != 3 * w.WHh.Dim(1))
                throw new ArgumentException($"Gru WHh must be (3H, H), got {ShapeUtil.Format(w.WHh.Shape)}.");
            int h = w.WHh.Dim(1);
            if (w.WIh.Rank != 2 || w.WIh.Dim(0) != 3 * h || w.WIh.Dim(1) != inF)
                throw new ArgumentException($"Gru WIh must be ({3 * h}, {inF}), got {ShapeUtil.Format(w.WIh.Shape)}.");
            FusedOpSupport.CheckVector(w.BIh, 3 * h, "Gru BIh");
            FusedOpSupport.CheckVector(w.BHh, 3 * h, "Gru BHh");
            if (h0 is not null && (h0.Rank != 2 || h0.Dim(0) != b || h0.Dim(1) != h))
                throw new ArgumentException($"Gru h0 must be ({b}, {h}), got {ShapeUtil.Format(h0.Shape)}.");
            var active = new bool[b * l];
            if (lengths is not null && mask is not null) throw new ArgumentException("Gru takes lengths or a mask, not both.");
            if (mask is not null)
            {
                if (mask.Rank != 2 || mask.Dim(0) != b || mask.Dim(1) != l) throw new ArgumentException($"Gru mask must be ({b}, {l}), got {ShapeUtil.Format(mask.Shape)}.");
                for (int i = 0; i < active.Length; i++) active[i] = mask.Data[i] != 0;
            }
            else if (lengths is not null)
            {
                if (lengths.Rank != 1 || lengths.Size != b) throw new ArgumentException($"Gru lengths must be ({b}), got {ShapeUtil.Format(lengths.Shape)}.");
                for (int i = 0; i < b; i++)
                {
                    int len = lengths.Data[i];
                    if ((uint)len > (uint)l) throw new ArgumentException($"Gru lengths[{i}] = {len} is outside [0, {l}].");
                    active.AsSpan(i * l, len).Fill(true);
                }
            }
            else Array.Fill(active, true);
            return new GruShapes(b, l, inF, h, active);
        }
    }

    /// <summary>Activations kept for BPTT, time-major: index ((t·B) + b)·width.</summary>
    private sealed class GruSaved(GruShapes s)
    {
        public readonly Tensor Rz = Tensor.Empty([s.L, s.B, 2 * s.H]);   // σ gates r, z
        public readonly Tensor N = Tensor.Empty([s.L, s.B, s.H]);        // candidate n
        public readonly Tensor GhN = Tensor.Empty([s.L, s.B, s.H]);      // W_hn h + b_hn
        public readonly Tensor HPrev = Tensor.Empty([s.L, s.B, s.H]);    // state entering step t
    }

    private static void GruForward(Tensor x, Tensor? att, GruWeights w, Tensor? h0, GruShapes s, Span<float> outputs, GruSaved saved)
    {
        int b = s.B, l = s.L, h = s.H, g3 = 3 * h;
        var gi = Tensor.Empty([b * l, g3]).Span;   // (B·L, 3H) input projections of every step
        if (w.BIh is not null) for (int r = 0; r < b * l; r++) w.BIh.Span.CopyTo(gi.Slice(r * g3, g3));
        Gemm.Sgemm(false, true, b * l, g3, s.In, 1f, x.Span, s.In, w.WIh.Span, s.In, w.BIh is null ? 0f : 1f, gi, g3);
        var gh = Tensor.Empty([b, g3]).Span;       // (B, 3H) recurrent projections of one step
        var hCur = Tensor.Empty([b, h]).Span;
        if (h0 is null) hCur.Clear(); else h0.Span.CopyTo(hCur);
        Span<float> rz = saved.Rz.Span, nAll = saved.N.Span, ghn = saved.GhN.Span, hPrev = saved.HPrev.Span;
        var pre = Tensor.Empty([2 * h]).Span;
        for (int t = 0; t < l; t++)
        {
            hCur.CopyTo(hPrev.Slice(t * b * h, b * h));
            if (w.BHh is not null) for (int r = 0; r < b; r++) w.BHh.Span.CopyTo(gh.Slice(r * g3, g3));
            Gemm.Sgemm(false, true, b, g3, h, 1f, hCur, h, w.WHh.Span, h, w.BHh is null ? 0f : 1f, gh, g3);
            for (int i = 0; i < b; i++)
            {
                var hi = hCur.Slice(i * h, h);
                int tb = t * b + i;
                if (s.Active[i * l + t])
                {
                    var gib = gi.Slice((i * l + t) * g3, g3);
                    var ghb = gh.Slice(i * g3, g3);
                    var rzb = rz.Slice(tb * 2 * h, 2 * h);
                    var nb = nAll.Slice(tb * h, h);
                    TensorPrimitives.Add(gib[..(2 * h)], ghb[..(2 * h)], pre);
                    Activations.SigmoidForward(pre, rzb);
                    ghb.Slice(2 * h, h).CopyTo(ghn.Slice(tb * h, h));
                    // n = tanh(gi_n + r ⊙ gh_n)
                    TensorPrimitives.MultiplyAdd(rzb[..h], ghb.Slice(2 * h, h), gib.Slice(2 * h, h), pre[..h]);
                    Activations.TanhForward(pre[..h], nb);
                    float a = att is null ? 1f : att.Span[i * l + t];
                    // h' = h + a(1 − z) ⊙ (n − h)
                    for (int j = 0; j < h; j++) hi[j] += a * (1f - rzb[h + j]) * (nb[j] - hi[j]);
                }
                hi.CopyTo(outputs.Slice((i * l + t) * h, h));
            }
        }
    }

    /// <summary>outputs[:, L − 1, :] (the state at each sequence's own last valid step, since padded steps carry it).</summary>
    private static Tensor GruLastState(Tensor outputs, Tensor? h0)
    {
        int b = outputs.Dim(0), l = outputs.Dim(1), h = outputs.Dim(2);
        var y = Tensor.Empty([b, h]);
        if (l == 0)
        {
            if (h0 is null) y.Span.Clear(); else h0.Span.CopyTo(y.Span);
            if (h0 is not null && Autograd.ShouldRecord(h0))
                y.Record("gru_final", [h0], g => TensorPrimitives.Add(h0.GradSpanForAccumulate(), g.Span, h0.GradSpanForAccumulate()));
            return y;
        }
        for (int i = 0; i < b; i++) outputs.Span.Slice((i * l + l - 1) * h, h).CopyTo(y.Span.Slice(i * h, h));
        if (Autograd.ShouldRecord(outputs))
        {
            y.Record("gru_final", [outputs], g =>
            {
                var go = outputs.GradSpanForAccumulate();
                for (int i = 0; i < b; i++)
                {
                    var dst = go.Slice((i * l + l - 1) * h, h);
                    TensorPrimitives.Add(dst, g.Span.Slice(i * h, h), dst);
                }
            });
        }
        return y;
    }
}
