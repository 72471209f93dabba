using Cascade.Kernels.Reference;

namespace Cascade.Kernels.Tests;

/// <summary>The fused small-head attention kernel against its naive twin, with and without a key mask.</summary>
public class SmallAttentionTests
{
    [Theory]
    [InlineData(3, 2, 6, 6, 16, 16, false)] // AutoInt's head
    [InlineData(2, 3, 4, 5, 7, 9, true)]    // odd widths: scalar tails; one row fully masked
    [InlineData(1, 1, 3, 2, 24, 8, true)]   // 16 + 8 tiers
    public void ForwardAndBackwardMatchTheReference(int batch, int heads, int lq, int lk, int dh, int dv, bool masked)
    {
        var rng = new Random(batch * 1000 + lk * 10 + dh);
        float[] q = Fill(batch * heads * lq * dh), k = Fill(batch * heads * lk * dh), v = Fill(batch * heads * lk * dv);
        int[] mask = masked ? new int[batch * lk] : [];
        for (int i = 0; i < mask.Length; i++) mask[i] = i < lk ? 0 : rng.Next(2) | (i % lk == 0 ? 1 : 0); // batch 0: no key at all
        float scale = 1f / MathF.Sqrt(dh);
        float[] p = new float[batch * heads * lq * lk], y = Fill(batch * heads * lq * dv);
        float[] pr = new float[p.Length], yr = new float[y.Length];
        SmallAttention.Forward(q, k, v, mask, p, y, batch, heads, lq, lk, dh, dv, scale);
        SmallAttentionReference.Forward(q, k, v, mask, pr, yr, batch, heads, lq, lk, dh, dv, scale);
        Close(pr, p); Close(yr, y);
        if (masked) Assert.All(y.AsSpan(0, heads * lq * dv).ToArray(), x => Assert.Equal(0f, x));

        float[] dy = Fill(y.Length), dq = Fill(q.Length), dk = Fill(k.Length), dvg = Fill(v.Length);
        float[] dqr = (float[])dq.Clone(), dkr = (float[])dk.Clone(), dvr = (float[])dvg.Clone();
        SmallAttention.Backward(q, k, v, p, dy, dq, dk, dvg, batch, heads, lq, lk, dh, dv, scale);
        SmallAttentionReference.Backward(q, k, v, p, dy, dqr, dkr, dvr, batch, heads, lq, lk, dh, dv, scale);
        Close(dqr, dq); Close(dkr, dk); Close(dvr, dvg);

        float[] Fill(int length)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble() * 2f - 1f;
            return x;
        }
    }

    [Fact]
    public void EmptyGradientsAreSkipped()
    {
        float[] q = [1f, 2f], k = [0.5f, -1f, 2f, 0f], v = [1f, 2f], p = new float[2], y = new float[1];
        SmallAttention.Forward(q, k, v, [], p, y, 1, 1, 1, 2, 2, 1, 1f);
        var dv = new float[2];
        SmallAttention.Backward(q, k, v, p, [1f], [], [], dv, 1, 1, 1, 2, 2, 1, 1f);
        Assert.Equal(p, dv); // dV_j = P_j · dY with dY = 1
    }

    [Fact]
    public void ShortSpanIsRejectedWithItsName()
    {
        var ex = Assert.Throws<ArgumentException>(() => SmallAttention.Forward(new float[4], new float[4], new float[4], [], new float[3], new float[4], 1, 1, 2, 2, 2, 2, 1f));
        Assert.Contains("p holds 3 elements but 4 are needed", ex.Message);
    }

    private static void Close(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-4f * MathF.Abs(expected[i]), $"[{i}] = {actual[i]}, expected {expected[i]}");
    }
}
