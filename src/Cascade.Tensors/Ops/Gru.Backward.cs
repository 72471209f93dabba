using System.Numerics.Tensors;
using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// BPTT for <see cref="Gru"/>/<see cref="AuGru"/>. Per active step, with u' = a(1 − z) and dh the state gradient:
    /// dn = dh ⊙ u', du' = dh ⊙ (n − h), dh_prev = dh ⊙ (1 − u') + dGh · W_hh,
    /// dz = −a · du', da += Σ du' ⊙ (1 − z), dpre_n = dn ⊙ (1 − n²), dr = dpre_n ⊙ gh_n, dgh_n = dpre_n ⊙ r,
    /// dpre_r = dr ⊙ r(1 − r), dpre_z = dz ⊙ z(1 − z); dGi = [dpre_r, dpre_z, dpre_n], dGh = [dpre_r, dpre_z, dgh_n].
    /// Inactive steps pass dh through unchanged. Weight gradients are single GEMMs over all steps at the end.
    /// </summary>
    private static void GruBackward(ReadOnlySpan<float> gOut, Tensor x, Tensor? att, GruWeights w, Tensor? h0, GruShapes s, GruSaved saved)
    {
        int b = s.B, l = s.L, h = s.H, g3 = 3 * h;
        var dGi = Tensor.Zeros([b * l, g3]).Span;     // (B·L, 3H), batch-major like the input projections
        var dGh = Tensor.Zeros([l * b, g3]).Span;     // (L·B, 3H), time-major like HPrev
        var carry = Tensor.Zeros([b, h]).Span;        // dL/dh entering from later steps
        var scratch = Tensor.Empty([4, h]).Span;
        Span<float> dh = scratch[..h], dn = scratch.Slice(h, h), dr = scratch.Slice(2 * h, h), dz = scratch.Slice(3 * h, h);
        ReadOnlySpan<float> rz = saved.Rz.Span, nAll = saved.N.Span, ghnAll = saved.GhN.Span, hPrev = saved.HPrev.Span;
        Span<float> dAtt = att is not null && att.RequiresGrad ? att.GradSpanForAccumulate() : default;
        for (int t = l - 1; t >= 0; t--)
        {
            for (int i = 0; i < b; i++)
            {
                var c = carry.Slice(i * h, h);
                TensorPrimitives.Add(c, gOut.Slice((i * l + t) * h, h), c);   // dh = dOut[b, t] + carry
                if (!s.Active[i * l + t]) continue;                              // state carried: dh flows on as is
                int tb = t * b + i;
                var r = rz.Slice(tb * 2 * h, h);
                var z = rz.Slice(tb * 2 * h + h, h);
                var n = nAll.Slice(tb * h, h);
                var ghn = ghnAll.Slice(tb * h, h);
                var hp = hPrev.Slice(tb * h, h);
                float a = att is null ? 1f : att.Span[i * l + t];
                c.CopyTo(dh);
                float da = 0f;
                for (int j = 0; j < h; j++)
                {
                    float u = a * (1f - z[j]);
                    float du = dh[j] * (n[j] - hp[j]);
                    dn[j] = dh[j] * u;
                    dz[j] = -a * du;
                    da += du * (1f - z[j]);
                    c[j] = dh[j] * (1f - u);                                     // direct path to h_prev
                }
                if (!dAtt.IsEmpty) dAtt[i * l + t] += da;
                var gi = dGi.Slice((i * l + t) * g3, g3);
                var gh = dGh.Slice(tb * g3, g3);
                Activations.TanhBackward(n, dn, gi.Slice(2 * h, h));             // dpre_n (zeroed before)
                TensorPrimitives.Multiply(gi.Slice(2 * h, h), ghn, dr);           // dr = dpre_n ⊙ gh_n
                TensorPrimitives.Multiply(gi.Slice(2 * h, h), r, gh.Slice(2 * h, h));
                Activations.SigmoidBackward(r, dr, gi[..h]);
                Activations.SigmoidBackward(z, dz, gi.Slice(h, h));
                gi[..(2 * h)].CopyTo(gh);
            }
            // carry += dGh_t · W_hh: (B, 3H)·(3H, H)
            Gemm.Sgemm(false, false, b, h, g3, 1f, dGh.Slice(t * b * g3, b * g3), g3, w.WHh.Span, h, 1f, carry, h);
        }
        if (h0 is not null && h0.RequiresGrad) TensorPrimitives.Add(h0.GradSpanForAccumulate(), carry, h0.GradSpanForAccumulate());
        int steps = b * l;
        if (w.WHh.RequiresGrad) Gemm.Sgemm(true, false, g3, h, steps, 1f, dGh, g3, hPrev, h, 1f, w.WHh.GradSpanForAccumulate(), h);
        if (w.BHh is not null && w.BHh.RequiresGrad) FusedOpSupport.AddRowsInto(dGh, steps, g3, w.BHh.GradSpanForAccumulate());
        if (w.WIh.RequiresGrad) Gemm.Sgemm(true, false, g3, s.In, steps, 1f, dGi, g3, x.Span, s.In, 1f, w.WIh.GradSpanForAccumulate(), s.In);
        if (w.BIh is not null && w.BIh.RequiresGrad) FusedOpSupport.AddRowsInto(dGi, steps, g3, w.BIh.GradSpanForAccumulate());
        if (x.RequiresGrad) Gemm.Sgemm(false, false, steps, s.In, g3, 1f, dGi, g3, w.WIh.Span, s.In, 1f, x.GradSpanForAccumulate(), s.In);
    }
}
