using Cascade.Nn.Layers;
using Cascade.Models.Ranking;
using Cascade.Tensors;

namespace Cascade.Models.Tests.Ranking;

/// <summary>Golden values of the ranking parts against loops written from the papers' equations (float64).</summary>
public class RankingPartTests
{
    [Fact]
    public void FmTermEqualsTheSumOfPairwiseInnerProducts()
    {
        // 2 rows, 3 fields, 2 dims, by hand for row 0: e = [1, 2], [3, −1], [0.5, 4];
        // ⟨e1,e2⟩ + ⟨e1,e3⟩ + ⟨e2,e3⟩ = (3 − 2) + (0.5 + 8) + (1.5 − 4) = 7.
        var e = Tensor.FromArray([1f, 2f, 3f, -1f, 0.5f, 4f, /* row 1 */ -1f, 0f, 2f, 2f, 1f, -3f], [2, 3, 2]);
        var y = FactorizationMachine.Interaction(e).ToArray();
        Assert.Equal(7f, y[0], 5);
        // Row 1: ⟨(−1,0),(2,2)⟩ + ⟨(−1,0),(1,−3)⟩ + ⟨(2,2),(1,−3)⟩ = −2 − 1 + (2 − 6) = −7.
        Assert.Equal(-7f, y[1], 5);
    }

    [Fact]
    public void OneVectorCrossLayerMatchesTheHandComputation()
    {
        // n = 3, one layer: x1 = x0 · (x0ᵀ w) + b + x0.
        var net = new CrossNetwork(new CrossNetworkOptions(3, Layers: 1));
        net.Kernels[0].Value.Span.Clear();
        new float[] { 0.5f, -1f, 2f }.CopyTo(net.Kernels[0].Value.Span);
        new float[] { 0.1f, 0.2f, 0.3f }.CopyTo(net.Biases[0].Value.Span);
        var x0 = Tensor.FromArray([1f, 2f, 3f], [1, 3]);
        // x0ᵀw = 0.5 − 2 + 6 = 4.5; x1 = (4.5, 9, 13.5) + (0.1, 0.2, 0.3) + (1, 2, 3) = (5.6, 11.2, 16.8).
        var y = net.Forward(x0).ToArray();
        Assert.Equal([5.6f, 11.2f, 16.8f], y.Select(v => MathF.Round(v, 4)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void MatrixCrossLayersMatchTheDcnV2Equation(int rank)
    {
        const int n = 5, layers = 2, batch = 3;
        var net = new CrossNetwork(new CrossNetworkOptions(n, layers, CrossType.Matrix, rank, Seed: 4));
        for (int l = 0; l < layers; l++) Tensor.Uniform([n], 50 + (ulong)l, -0.5f, 0.5f).Span.CopyTo(net.Biases[l].Value.Span);
        var x0 = Tensor.Uniform([batch, n], 9, -1f, 1f);
        var y = net.Forward(x0);
        for (int b = 0; b < batch; b++)
        {
            var x0b = Enumerable.Range(0, n).Select(i => (double)x0[b, i]).ToArray();
            var x = (double[])x0b.Clone();
            for (int l = 0; l < layers; l++)
            {
                // W_l = U_l V_lᵀ when low-rank; x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l.
                var w = new double[n, n];
                var k = net.Kernels[l].Value;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        w[i, j] = rank == 0 ? k[i, j] : Enumerable.Range(0, rank).Sum(r => (double)k[i, r] * net.LowRankV[l].Value[r, j]);
                var next = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double h = net.Biases[l].Value[i];
                    for (int j = 0; j < n; j++) h += w[i, j] * x[j];
                    next[i] = x0b[i] * h + x[i];
                }
                x = next;
            }
            for (int i = 0; i < n; i++) RankingKit.Close(x[i], y[b, i], 1e-5, $"row {b} unit {i}");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void InteractingLayerMatchesPerHeadAttention(bool residual, bool scaling)
    {
        const int batch = 2, fields = 3, dim = 4, heads = 2, d = dim / heads;
        var layer = new InteractingLayer(dim, heads, residual, scaling, seed: 5);
        var e = Tensor.Uniform([batch, fields, dim], 6, -1f, 1f);
        var y = layer.Forward(e);
        double Proj(Tensor w, int b, int f, int o) => Enumerable.Range(0, dim).Sum(i => (double)w[o, i] * e[b, f, i]);
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < fields; i++)
                for (int h = 0; h < heads; h++)
                {
                    // AutoInt Eq. (5)-(6): α_ij = softmax_j ⟨W_Q e_i, W_K e_j⟩ within head h; out = Σ_j α_ij W_V e_j.
                    var s = new double[fields];
                    for (int j = 0; j < fields; j++)
                    {
                        for (int c = h * d; c < (h + 1) * d; c++) s[j] += Proj(layer.Query.Value, b, i, c) * Proj(layer.Key.Value, b, j, c);
                        if (scaling) s[j] /= Math.Sqrt(d);
                    }
                    double max = s.Max(), z = s.Sum(v => Math.Exp(v - max));
                    for (int c = h * d; c < (h + 1) * d; c++)
                    {
                        double o = Enumerable.Range(0, fields).Sum(j => Math.Exp(s[j] - max) / z * Proj(layer.Value.Value, b, j, c));
                        if (residual) o += Proj(layer.Residual!.Value, b, i, c);
                        RankingKit.Close(Math.Max(0, o), y[b, i, c], 1e-5, $"row {b} field {i} unit {c}");
                    }
                }
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    public void SqueezeExcitationRescalesEachFieldByItsGate(Activation gate)
    {
        const int fields = 4, dim = 3;
        var se = new SqueezeExcitation(fields, reduction: 2, gate, seed: 8);
        var e = Tensor.Uniform([2, fields, dim], 3, -1f, 1f);
        var y = se.Forward(e);
        for (int b = 0; b < 2; b++)
        {
            // Squeeze z_f = mean_d e_fd; excitation a = σ₂(W₂ ReLU(W₁ z)); v_f = a_f e_f.
            var z = Enumerable.Range(0, fields).Select(f => Enumerable.Range(0, dim).Average(k => (double)e[b, f, k])).ToArray();
            var h = Enumerable.Range(0, 2).Select(r => Math.Max(0, Enumerable.Range(0, fields).Sum(f => (double)se.Reduce.Value[r, f] * z[f]))).ToArray();
            for (int f = 0; f < fields; f++)
            {
                double pre = Enumerable.Range(0, 2).Sum(r => (double)se.Expand.Value[f, r] * h[r]);
                double a = gate == Activation.Relu ? Math.Max(0, pre) : 1 / (1 + Math.Exp(-pre));
                for (int k = 0; k < dim; k++) RankingKit.Close(a * e[b, f, k], y[b, f, k], 1e-5, $"row {b} field {f} dim {k}");
            }
        }
    }

    [Fact]
    public void LowRankNeedsMatrixLayers()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CrossNetwork(new CrossNetworkOptions(4, 1, CrossType.Vector, LowRank: 2)));
        Assert.Contains("matrix", ex.Message);
    }
}
