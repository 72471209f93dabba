namespace Cascade.Kernels.Reference;

/// <summary>Naive twin of <see cref="SmallAttention"/> (double accumulation, explicit S, P and dS): the test oracle.</summary>
public static class SmallAttentionReference
{
    /// <summary>Same contract as <see cref="SmallAttention.Forward"/>.</summary>
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
    /// <param name="scale">Score scale.</param>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyMask,
        Span<float> p, Span<float> y, int batch, int heads, int lq, int lk, int dh, int dv, float scale)
    {
        var s = new double[lk];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < lq; i++)
                {
                    int bh = b * heads + h;
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < lk; j++)
                    {
                        bool on = keyMask.IsEmpty || keyMask[b * lk + j] != 0;
                        double dot = 0;
                        for (int d = 0; d < dh; d++) dot += (double)q[(bh * lq + i) * dh + d] * k[(bh * lk + j) * dh + d];
                        s[j] = on ? scale * dot : double.NegativeInfinity;
                        max = Math.Max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < lk; j++) { s[j] = double.IsNegativeInfinity(max) ? 0 : Math.Exp(s[j] - max); sum += s[j]; }
                    for (int j = 0; j < lk; j++) p[(bh * lq + i) * lk + j] = sum > 0 ? (float)(s[j] / sum) : 0f;
                    for (int d = 0; d < dv; d++)
                    {
                        double acc = 0;
                        for (int j = 0; j < lk; j++) acc += (double)p[(bh * lq + i) * lk + j] * v[(bh * lk + j) * dv + d];
                        y[(bh * lq + i) * dv + d] = (float)acc;
                    }
                }
    }

    /// <summary>Same contract as <see cref="SmallAttention.Backward"/> (accumulates into the non-empty gradients).</summary>
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
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> p, ReadOnlySpan<float> dy,
        Span<float> dq, Span<float> dk, Span<float> dv, int batch, int heads, int lq, int lk, int dh, int dvWidth, float scale)
    {
        var dp = new double[lk];
        for (int bh = 0; bh < batch * heads; bh++)
            for (int i = 0; i < lq; i++)
            {
                int row = bh * lq + i;
                double t = 0;
                for (int j = 0; j < lk; j++)
                {
                    double acc = 0;
                    for (int d = 0; d < dvWidth; d++) acc += (double)dy[row * dvWidth + d] * v[(bh * lk + j) * dvWidth + d];
                    dp[j] = acc;
                    t += acc * p[row * lk + j];
                }
                for (int j = 0; j < lk; j++)
                {
                    double pij = p[row * lk + j], ds = scale * pij * (dp[j] - t);
                    if (!dv.IsEmpty) for (int d = 0; d < dvWidth; d++) dv[(bh * lk + j) * dvWidth + d] += (float)(pij * dy[row * dvWidth + d]);
                    if (!dq.IsEmpty) for (int d = 0; d < dh; d++) dq[row * dh + d] += (float)(ds * k[(bh * lk + j) * dh + d]);
                    if (!dk.IsEmpty) for (int d = 0; d < dh; d++) dk[(bh * lk + j) * dh + d] += (float)(ds * q[row * dh + d]);
                }
            }
    }
}
