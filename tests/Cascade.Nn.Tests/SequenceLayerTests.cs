using Cascade.Nn.Layers;
using Cascade.Tensors;
using static Cascade.Nn.Tests.TestUtil;

namespace Cascade.Nn.Tests;

public class SequenceLayerTests
{
    /// <summary>One GRU run in double precision from the PyTorch equations, the independent twin of the layer.</summary>
    private static double[] ReferenceGru(GruBase gru, Tensor x, float[]? attention)
    {
        int b = x.Dim(0), l = x.Dim(1), d = x.Dim(2), h = gru.HiddenSize;
        var w = gru.Weights;
        var outputs = new double[b * l * h];
        for (int n = 0; n < b; n++)
        {
            var state = new double[h];
            for (int t = 0; t < l; t++)
            {
                double[] gi = new double[3 * h], gh = new double[3 * h];
                for (int j = 0; j < 3 * h; j++)
                {
                    gi[j] = w.BIh!.Span[j];
                    for (int k = 0; k < d; k++) gi[j] += w.WIh[j, k] * x[n, t, k];
                    gh[j] = w.BHh!.Span[j];
                    for (int k = 0; k < h; k++) gh[j] += w.WHh[j, k] * state[k];
                }
                var next = new double[h];
                for (int j = 0; j < h; j++)
                {
                    double r = Sig(gi[j] + gh[j]), z = Sig(gi[h + j] + gh[h + j]);
                    double cand = Math.Tanh(gi[2 * h + j] + r * gh[2 * h + j]);
                    double u = (1 - z) * (attention is null ? 1 : attention[n * l + t]);
                    next[j] = state[j] + u * (cand - state[j]);
                }
                state = next;
                Array.Copy(state, 0, outputs, (n * l + t) * h, h);
            }
        }
        return outputs;
    }

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    [Fact]
    public void GruMatchesReferenceAndGradients()
    {
        var gru = new Gru(3, 4, seed: 2);
        var x = Uniform([2, 3, 3], 5);
        var y = gru.Forward(x);
        var expected = ReferenceGru(gru, x, null);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Outputs.Span[i], 4);
        Close(y.Outputs.Span.Slice(2 * 4, 4), y.Final.Span[..4], 0);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], gru.NamedParameters().Select(p => p.Name));
        AssertGradients(gru, [Uniform([2, 3, 3], 6)], xs => gru.Forward(xs[0]).Outputs);
    }

    [Fact]
    public void AuGruScalesUpdatesByAttention()
    {
        var gru = new AuGru(2, 3, seed: 4);
        var x = Uniform([2, 3, 2], 7);
        float[] att = [0.2f, 0.9f, 0.5f, 1f, 0f, 0.3f];
        var y = gru.Forward(x, Tensor.FromArray(att, [2, 3]));
        var expected = ReferenceGru(gru, x, att);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Outputs.Span[i], 4);
        var a = Tensor.Uniform([2, 3], 8, 0.1f, 0.9f);
        AssertGradients(gru, [Uniform([2, 3, 2], 9), a], xs => gru.Forward(xs[0], xs[1]).Outputs);
    }

    [Fact]
    public void MultiHeadAttentionIgnoresMaskedKeysAndDifferentiates()
    {
        var mha = new MultiHeadAttention(4, 2, seed: 3);
        var q = Uniform([2, 2, 4], 1);
        var kv = Uniform([2, 3, 4], 2);
        var mask = new IntTensor([1, 1, 0, 1, 0, 1], [2, 3]);
        var y1 = mha.Forward(q, kv, kv, mask).ToArray();
        kv[0, 2, 1] = 9f;   // a masked key/value of sample 0
        kv[1, 1, 3] = -7f;  // a masked key/value of sample 1
        var y2 = mha.Forward(q, kv, kv, mask).ToArray();
        Close(y1, y2, 1e-6);
        Assert.Equal(4 * (4 * 4 + 4), mha.ParameterCount);
        Assert.Contains("out_proj.weight", mha.NamedParameters().Select(p => p.Name));
        AssertGradients(mha, [Uniform([1, 2, 4], 3), Uniform([1, 3, 4], 4)], xs => mha.Forward(xs[0], xs[1], xs[1]));
    }

    [Fact]
    public void MultiHeadAttentionMatchesADoublePrecisionTwin()
    {
        const int e = 4, heads = 2, dh = 2, lq = 2, lk = 3;
        var mha = new MultiHeadAttention(e, heads, seed: 5);
        var q = Uniform([1, lq, e], 11);
        var kv = Uniform([1, lk, e], 12);
        var y = mha.Forward(q, kv, kv);
        static double[] Project(Linear l, Tensor x, int row)
        {
            var o = new double[l.OutFeatures];
            for (int j = 0; j < o.Length; j++)
            {
                o[j] = l.Bias!.Value.Span[j];
                for (int k = 0; k < l.InFeatures; k++) o[j] += l.Weight.Value[j, k] * x[0, row, k];
            }
            return o;
        }
        var keys = Enumerable.Range(0, lk).Select(r => Project(mha.Key, kv, r)).ToArray();
        var values = Enumerable.Range(0, lk).Select(r => Project(mha.Value, kv, r)).ToArray();
        for (int i = 0; i < lq; i++)
        {
            var qi = Project(mha.Query, q, i);
            var concat = new double[e];
            for (int h = 0; h < heads; h++)
            {
                var scores = new double[lk];
                for (int j = 0; j < lk; j++)
                    for (int d = 0; d < dh; d++) scores[j] += qi[h * dh + d] * keys[j][h * dh + d] / Math.Sqrt(dh);
                double max = scores.Max(), z = scores.Sum(s => Math.Exp(s - max));
                for (int j = 0; j < lk; j++)
                    for (int d = 0; d < dh; d++) concat[h * dh + d] += Math.Exp(scores[j] - max) / z * values[j][h * dh + d];
            }
            for (int o = 0; o < e; o++)
            {
                double expected = mha.Output.Bias!.Value.Span[o];
                for (int k = 0; k < e; k++) expected += mha.Output.Weight.Value[o, k] * concat[k];
                Assert.Equal(expected, y[0, i, o], 5);
            }
        }
    }
}
