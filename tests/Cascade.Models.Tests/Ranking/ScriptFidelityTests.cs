using Cascade.Models.Ranking;
using Cascade.Tensors;

namespace Cascade.Models.Tests.Ranking;

/// <summary>
/// The details of IntTower's ranker scripts that docs/design/table2-gaps.md found missing: DNN biases at PyTorch's
/// default (and the dead half of each layer they cause under N(0, 1e-4) weights), wdm.py's SimNonLocal field
/// re-weighting, and dcn.py's L2 on the cross kernels.
/// </summary>
public class ScriptFidelityTests
{
    [Fact]
    public void SimNonLocalAddsEachFieldScaledBySoftmaxOfReluExcitation()
    {
        const int fields = 3, dim = 2;
        var block = new SimNonLocal(fields, seed: 4);
        // W chosen so that one row of W z is negative (the ReLU must zero it before the softmax).
        new float[] { 1f, 0f, 0f, 0f, -2f, 0f, 0.5f, 0.5f, 0.5f }.CopyTo(block.Weight.Value.Span);
        var e = Tensor.FromArray([1f, 3f, /* f1 */ 2f, 0f, /* f2 */ -1f, 1f], [1, fields, dim]);
        // z = mean_d e = (2, 1, 0); W z = (2, −2, 1.5); ReLU → (2, 0, 1.5); a = softmax = e^(2, 0, 1.5) / Σ.
        double s = Math.Exp(2) + Math.Exp(0) + Math.Exp(1.5);
        double[] a = [Math.Exp(2) / s, 1 / s, Math.Exp(1.5) / s];
        var y = block.Forward(e);
        for (int f = 0; f < fields; f++)
            for (int d = 0; d < dim; d++)
                RankingKit.Close(e[0, f, d] * (1 + a[f]), y[0, f, d], 1e-6, $"field {f} dim {d}");
    }

    [Fact]
    public void WideDeepReweightsFieldsByDefaultAndNoneGivesThePlainModel()
    {
        var t = RankingKit.Task.Value;
        var scripts = (WideDeep)ModelZoo.Create(t.Layout, RankingKit.Settings("wide-deep"));
        var plain = (WideDeep)ModelZoo.Create(t.Layout, RankingKit.Settings("wide-deep", p: ("field_reweighting", "none")));
        Assert.NotNull(scripts.Reweighting);
        Assert.Null(plain.Reweighting);
        Assert.Equal(scripts.FieldCount, scripts.Reweighting!.Fields);
        // The block adds one F×F matrix and nothing else.
        Assert.Equal(plain.ParameterCount + scripts.FieldCount * scripts.FieldCount, scripts.ParameterCount);
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Create(t.Layout, RankingKit.Settings("wide-deep", p: ("field_reweighting", "senet"))));
        Assert.Contains("expected simnonlocal or none", ex.Message);
    }

    [Fact]
    public void DnnBiasesStartAtTorchsUniformDefaultOrZero()
    {
        var t = RankingKit.Task.Value;
        var model = (DeepFm)ModelZoo.Create(t.Layout, RankingKit.Settings("deepfm"));
        Assert.Equal(DnnBiasInit.Uniform, model.Deep.BiasInit);
        var b0 = model.NamedParameters().Single(p => p.Name == "dnn.0.bias").Parameter.Value.ToArray();
        float bound = 1f / MathF.Sqrt(model.DeepInputWidth);
        Assert.All(b0, v => Assert.InRange(v, -bound, bound));
        // 300 draws of U(±bound): the sample σ is near bound/√3 (within 15%), so they are spread, not a constant.
        double std = Math.Sqrt(b0.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.85 * bound / Math.Sqrt(3), 1.15 * bound / Math.Sqrt(3));
        var zero = (DeepFm)ModelZoo.Create(t.Layout, RankingKit.Settings("deepfm", p: ("dnn_bias_init", "zero")));
        Assert.All(zero.NamedParameters().Where(p => p.Name.StartsWith("dnn.", StringComparison.Ordinal) && p.Name.EndsWith(".bias", StringComparison.Ordinal)),
            p => Assert.All(p.Parameter.Value.ToArray(), v => Assert.Equal(0f, v)));
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Create(t.Layout, RankingKit.Settings("deepfm", p: ("dnn_bias_init", "xavier"))));
        Assert.Contains("expected uniform or zero", ex.Message);
    }

    [Fact]
    public void UnderTheScriptsInitUnitsWithNegativeBiasGetNoGradient()
    {
        // The scripts' init: embeddings and DNN weights N(0, 1e-4), biases U(±1/√in). A first-layer unit's
        // pre-activation is then b_j + O(1e-4), so the units with b_j < 0 are off for every row and their weights
        // receive an exactly zero gradient: Adam never moves them, and they stay off for the whole run.
        var t = RankingKit.Task.Value;
        var model = (WideDeep)ModelZoo.Create(t.Layout, RankingKit.Settings("wide-deep", p: ("dropout", "0")));
        var input = RankingKit.Batch(64);
        Cascade.Tensors.Ops.Sum(model.Forward(input)).Backward();
        var layer = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        var bias = layer["dnn.0.bias"].Value;
        var grad = layer["dnn.0.weight"].Grad!;
        int width = bias.Dim(0), inputs = grad.Dim(1), dead = 0;
        for (int j = 0; j < width; j++)
        {
            bool zeroRow = Enumerable.Range(0, inputs).All(i => grad[j, i] == 0f);
            // A clearly negative bias (beyond the ~1e-3 the weight term can reach) means a zero gradient row.
            if (bias[j] < -0.01f) Assert.True(zeroRow, $"unit {j} (bias {bias[j]:G3}) received a gradient");
            if (zeroRow) dead++;
        }
        // About half of the 300 units (expected 150): a U(±b) bias is negative with probability 1/2.
        Assert.InRange(dead, 110, 190);
        var zero = (WideDeep)ModelZoo.Create(t.Layout, RankingKit.Settings("wide-deep", p: [("dropout", "0"), ("dnn_bias_init", "zero")]));
        Cascade.Tensors.Ops.Sum(zero.Forward(input)).Backward();
        var g0 = zero.NamedParameters().Single(p => p.Name == "dnn.0.weight").Parameter.Grad!;
        int alive = Enumerable.Range(0, width).Count(j => Enumerable.Range(0, inputs).Any(i => g0[j, i] != 0f));
        Assert.True(alive > 0.9 * width, $"with zero biases {alive} of {width} units should receive gradients");
    }

    [Fact]
    public void ColdsSeBlockAddsTheInputBackByDefault()
    {
        var t = RankingKit.Task.Value;
        var cold = (Cold)ModelZoo.Create(t.Layout, RankingKit.Settings("cold"));
        var plain = (Cold)ModelZoo.Create(t.Layout, RankingKit.Settings("cold", p: ("se_residual", "false")));
        Assert.True(cold.Se.Residual);
        Assert.False(plain.Se.Residual);
        // Same seed, same weights: residual output = e + gated output, element by element.
        var e = Tensor.Uniform([3, cold.FieldCount, 8], 11, -1f, 1f);
        var gated = plain.Se.Forward(e);
        var withInput = cold.Se.Forward(e);
        for (int i = 0; i < e.Size; i++) RankingKit.Close(e.Span[i] + gated.Span[i], withInput.Span[i], 1e-6, $"element {i}");
    }

    [Fact]
    public void AutoIntLeavesTheLinearTablesOutOfTheL2LikeItsScript()
    {
        var t = RankingKit.Task.Value;
        var script = (AutoInt)ModelZoo.Create(t.Layout, RankingKit.Settings("autoint"));
        var all = (AutoInt)ModelZoo.Create(t.Layout, RankingKit.Settings("autoint", p: ("linear_l2", "true")));
        Assert.Equal(script.Embedder.TableParameters(), script.EmbeddingParameters());
        Assert.Equal(script.Embedder.TableParameters().Concat(script.Linear.TableParameters()).Count(), all.EmbeddingParameters().Count());
        Assert.All(all.Linear.TableParameters(), p => Assert.Contains(p, all.EmbeddingParameters()));
    }

    [Fact]
    public void DcnPenalisesItsCrossKernelsUnlessToldNot()
    {
        var t = RankingKit.Task.Value;
        var dcn = (Dcn)ModelZoo.Create(t.Layout, RankingKit.Settings("dcn"));
        var penalised = dcn.EmbeddingParameters().ToList();
        Assert.True(dcn.CrossL2);
        Assert.All(dcn.Cross.Kernels, k => Assert.Contains(k, penalised));
        Assert.All(dcn.Cross.Biases, b => Assert.DoesNotContain(b, penalised));
        var off = (Dcn)ModelZoo.Create(t.Layout, RankingKit.Settings("dcn", p: ("cross_l2", "false")));
        Assert.All(off.EmbeddingParameters(), p => Assert.True(p.IsSparse));
        Assert.Equal(penalised.Count - dcn.Cross.Kernels.Count, off.EmbeddingParameters().Count());
    }
}
