using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Kernels;

/// <summary>
/// Scaled dot-product attention over all (batch, head) pairs in one call, for tiny heads (AutoInt: 6 fields × 16
/// dims). Per (b, h) and query i: S_ij = scale · q_i·k_j, P_i = softmax over keys j with keyMask[b, j] ≠ 0 (a row
/// with no such key gets P_i = 0), y_i = Σ_j P_ij v_j. Layouts: q (B, H, Lq, Dh), k (B, H, Lk, Dh), v (B, H, Lk, Dv),
/// keyMask (B, Lk) or empty, p (B, H, Lq, Lk), y (B, H, Lq, Dv). Calling SmallGemm and Softmax per head cost one
/// validated call per product and three vector dispatches per 6-wide softmax row; here everything is inlined
/// (dots and axpys from <see cref="SmallGemm"/>, scalar exp over the Lk scores).
/// </summary>
public static class SmallAttention
{
    /// <summary>Forward: fills <paramref name="p"/> (kept for backward) and <paramref name="y"/>.</summary>
    /// <param name="q">(B, H, Lq, Dh) queries.</param>
    /// <param name="k">(B, H, Lk, Dh) keys.</param>
    /// <param name="v">(B, H, Lk, Dv) values.</param>
    /// <param name="keyMask">(B, Lk), nonzero = attend; empty = every key.</param>
    /// <param name="p">(B, H, Lq, Lk) attention probabilities (output).</param>
    /// <param name="y">(B, H, Lq, Dv) output.</param>
    /// <param name="batch">B.</param>
    /// <param name="heads">H.</param>
    /// <param name="lq">Queries per head.</param>
    /// <param name="lk">Keys per head.</param>
    /// <param name="dh">Query/key width.</param>
    /// <param name="dv">Value width.</param>
    /// <param name="scale">Score scale, usually 1/√Dh.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyMask,
        Span<float> p, Span<float> y, int batch, int heads, int lq, int lk, int dh, int dv, float scale)
    {
        Check(q.Length, k.Length, v.Length, keyMask.Length, batch, heads, lq, lk, dh, dv);
        Need(nameof(p), p.Length, (long)batch * heads * lq * lk);
        Need(nameof(y), y.Length, (long)batch * heads * lq * dv);
        ref float q0 = ref MemoryMarshal.GetReference(q), k0 = ref MemoryMarshal.GetReference(k), v0 = ref MemoryMarshal.GetReference(v);
        ref float p0 = ref MemoryMarshal.GetReference(p), y0 = ref MemoryMarshal.GetReference(y);
        for (int b = 0; b < batch; b++)
        {
            var mask = keyMask.IsEmpty ? default : keyMask.Slice(b * lk, lk);
            for (int h = 0; h < heads; h++)
            {
                int bh = b * heads + h;
                ref float kb = ref Unsafe.Add(ref k0, (nint)bh * lk * dh);
                ref float vb = ref Unsafe.Add(ref v0, (nint)bh * lk * dv);
                for (int i = 0; i < lq; i++)
                {
                    ref float qi = ref Unsafe.Add(ref q0, ((nint)bh * lq + i) * dh);
                    ref float pi = ref Unsafe.Add(ref p0, ((nint)bh * lq + i) * lk);
                    ref float yi = ref Unsafe.Add(ref y0, ((nint)bh * lq + i) * dv);
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < lk; j++)
                    {
                        float s = mask.IsEmpty || mask[j] != 0 ? scale * SmallGemm.Dot(ref qi, ref Unsafe.Add(ref kb, (nint)j * dh), dh) : float.NegativeInfinity;
                        Unsafe.Add(ref pi, j) = s;
                        if (s > max) max = s;
                    }
                    MemoryMarshal.CreateSpan(ref yi, dv).Clear();
                    if (float.IsNegativeInfinity(max)) { MemoryMarshal.CreateSpan(ref pi, lk).Clear(); continue; }
                    float sum = 0f;
                    for (int j = 0; j < lk; j++)
                    {
                        float e = MathF.Exp(Unsafe.Add(ref pi, j) - max); // exp(−∞) = 0 for masked keys
                        Unsafe.Add(ref pi, j) = e;
                        sum += e;
                    }
                    float inv = 1f / sum;
                    for (int j = 0; j < lk; j++)
                    {
                        float pij = Unsafe.Add(ref pi, j) *= inv;
                        if (pij != 0f) SmallGemm.Axpy(pij, ref Unsafe.Add(ref vb, (nint)j * dv), ref yi, dv);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Backward from <paramref name="dy"/> with the forward's <paramref name="p"/>, accumulating (+=) into each of
    /// <paramref name="dq"/>, <paramref name="dk"/>, <paramref name="dv"/> that is not empty:
    /// dV_j += Σ_i P_ij dY_i, dP_ij = dY_i·v_j, dS_ij = P_ij (dP_ij − Σ_l P_il dP_il), dQ_i += scale Σ_j dS_ij k_j,
    /// dK_j += scale Σ_i dS_ij q_i. Same layouts as <see cref="Forward"/>; dy is (B, H, Lq, Dv).
    /// </summary>
    /// <param name="q">(B, H, Lq, Dh) queries.</param>
    /// <param name="k">(B, H, Lk, Dh) keys.</param>
    /// <param name="v">(B, H, Lk, Dv) values.</param>
    /// <param name="p">(B, H, Lq, Lk) probabilities from the forward.</param>
    /// <param name="dy">(B, H, Lq, Dv) gradient of the output.</param>
    /// <param name="dq">Gradient of q (accumulated), or empty.</param>
    /// <param name="dk">Gradient of k (accumulated), or empty.</param>
    /// <param name="dv">Gradient of v (accumulated), or empty.</param>
    /// <param name="batch">B.</param>
    /// <param name="heads">H.</param>
    /// <param name="lq">Queries per head.</param>
    /// <param name="lk">Keys per head.</param>
    /// <param name="dh">Query/key width.</param>
    /// <param name="dvWidth">Value width.</param>
    /// <param name="scale">The forward's score scale.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> p, ReadOnlySpan<float> dy,
        Span<float> dq, Span<float> dk, Span<float> dv, int batch, int heads, int lq, int lk, int dh, int dvWidth, float scale)
    {
        Check(q.Length, k.Length, v.Length, 0, batch, heads, lq, lk, dh, dvWidth);
        Need(nameof(p), p.Length, (long)batch * heads * lq * lk);
        Need(nameof(dy), dy.Length, (long)batch * heads * lq * dvWidth);
        if (!dq.IsEmpty) Need(nameof(dq), dq.Length, q.Length);
        if (!dk.IsEmpty) Need(nameof(dk), dk.Length, k.Length);
        if (!dv.IsEmpty) Need(nameof(dv), dv.Length, v.Length);
        bool needScores = !dq.IsEmpty || !dk.IsEmpty;
        // dS of one query row; 256 keys (1 KB of stack) covers every head small enough to come here.
        Span<float> ds = lk <= 256 ? stackalloc float[lk] : new float[lk];
        ref float q0 = ref MemoryMarshal.GetReference(q), k0 = ref MemoryMarshal.GetReference(k), v0 = ref MemoryMarshal.GetReference(v);
        ref float p0 = ref MemoryMarshal.GetReference(p), dy0 = ref MemoryMarshal.GetReference(dy);
        ref float dq0 = ref MemoryMarshal.GetReference(dq), dk0 = ref MemoryMarshal.GetReference(dk), dv0 = ref MemoryMarshal.GetReference(dv);
        for (int bh = 0; bh < batch * heads; bh++)
        {
            nint kOff = (nint)bh * lk * dh, vOff = (nint)bh * lk * dvWidth;
            for (int i = 0; i < lq; i++)
            {
                nint row = (nint)bh * lq + i;
                ref float pi = ref Unsafe.Add(ref p0, row * lk);
                ref float dyi = ref Unsafe.Add(ref dy0, row * dvWidth);
                if (!dv.IsEmpty)
                    for (int j = 0; j < lk; j++)
                    {
                        float pij = Unsafe.Add(ref pi, j);
                        if (pij != 0f) SmallGemm.Axpy(pij, ref dyi, ref Unsafe.Add(ref dv0, vOff + (nint)j * dvWidth), dvWidth);
                    }
                if (!needScores) continue;
                float t = 0f;
                for (int j = 0; j < lk; j++)
                {
                    float dp = SmallGemm.Dot(ref dyi, ref Unsafe.Add(ref v0, vOff + (nint)j * dvWidth), dvWidth);
                    ds[j] = dp;
                    t += dp * Unsafe.Add(ref pi, j);
                }
                for (int j = 0; j < lk; j++)
                {
                    float s = scale * Unsafe.Add(ref pi, j) * (ds[j] - t);
                    if (s == 0f) continue;
                    if (!dq.IsEmpty) SmallGemm.Axpy(s, ref Unsafe.Add(ref k0, kOff + (nint)j * dh), ref Unsafe.Add(ref dq0, row * dh), dh);
                    if (!dk.IsEmpty) SmallGemm.Axpy(s, ref Unsafe.Add(ref q0, row * dh), ref Unsafe.Add(ref dk0, kOff + (nint)j * dh), dh);
                }
            }
        }
    }

    private static void Check(int qLen, int kLen, int vLen, int maskLen, int batch, int heads, int lq, int lk, int dh, int dv)
    {
        if (batch < 0 || heads < 0 || lq < 0 || lk < 0 || dh < 0 || dv < 0)
            throw new ArgumentOutOfRangeException(nameof(batch), $"SmallAttention sizes must be non-negative, got B={batch} H={heads} Lq={lq} Lk={lk} Dh={dh} Dv={dv}.");
        Need("q", qLen, (long)batch * heads * lq * dh);
        Need("k", kLen, (long)batch * heads * lk * dh);
        Need("v", vLen, (long)batch * heads * lk * dv);
        if (maskLen != 0) Need("keyMask", maskLen, (long)batch * lk);
    }

    private static void Need(string name, int length, long need)
    {
        if (length < need) throw new ArgumentException($"SmallAttention: {name} holds {length} elements but {need} are needed.");
    }
}
