using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Models.Ranking;
using Cascade.Tensors;

namespace Cascade.Models.Tests.Ranking;

/// <summary>Whole-model golden forwards (against embeddings gathered by hand) and the zoo registrations.</summary>
public class RankingModelTests
{
    private const int Rows = 5;

    /// <summary>A field's embedding for one row, gathered from the table by hand: sparse ids summed, var-len ids (≠ 0) averaged.</summary>
    private static double[] HandEmbed(FeatureEmbedder emb, ModelInput input, FeatureSlot slot, int row)
    {
        var table = emb.TableOf(slot.Feature.Name).Table.Value;
        int dim = table.Dim(1);
        var v = new double[dim];
        if (slot.Block == FeatureBlock.Sparse)
        {
            var ids = input.SparseIds(slot.Feature.Name);
            for (int w = 0; w < slot.Width; w++)
                for (int d = 0; d < dim; d++) v[d] += table[ids.Data[row * slot.Width + w], d];
            return v;
        }
        Assert.Equal(PoolingMode.Mean, slot.Feature.Pooling);
        var (flat, offsets) = input.VarLenIds(slot.Feature.Name);
        int count = 0;
        for (int j = offsets.Data[row]; j < offsets.Data[row + 1]; j++)
        {
            if (flat.Data[j] == 0) continue;
            count++;
            for (int d = 0; d < dim; d++) v[d] += table[flat.Data[j], d];
        }
        return count == 0 ? v : v.Select(x => x / count).ToArray();
    }

    private static double DenseValue(ModelInput input, FeatureSlot slot, int row) => input.Dense.Span[row * input.Layout.DenseWidth + slot.Offset];

    /// <summary>y_lin by hand: Σ_f w_f[id] + Σ_k x_k w_k.</summary>
    private static double HandLinear(LinearPart linear, FeatureLayout layout, ModelInput input, int row)
    {
        var weights = (FeatureEmbedder)linear.NamedChildren().Single(c => c.Name == "weights").Module;
        double y = 0;
        foreach (var slot in weights.EmbeddedSlots()) y += HandEmbed(weights, input, slot, row)[0];
        var dense = weights.DenseSlots();
        for (int k = 0; k < dense.Count; k++) y += DenseValue(input, dense[k], row) * linear.DenseWeight!.Value[0, k];
        return y;
    }

    private static void Randomise(IEnumerable<Cascade.Nn.Parameter> ps, ulong seed)
    {
        // The N(0, 1e-4) defaults would make every term ~1e-8; spread values so each part moves the logit.
        foreach (var p in ps) Tensor.Uniform(p.Shape, seed++, -0.5f, 0.5f).Span.CopyTo(p.Value.Span);
    }

    [Fact]
    public void LogisticRegressionIsTheSumOfIdWeightsDenseWeightsAndBias()
    {
        var t = RankingKit.Task.Value;
        var model = (LogisticRegression)ModelZoo.Create(t.Layout, RankingKit.Settings("lr"));
        Randomise(model.Parameters(), 1);
        var input = RankingKit.Batch(Rows);
        var y = model.Forward(input).ToArray();
        Assert.Equal(Rows, y.Length);
        for (int r = 0; r < Rows; r++)
            RankingKit.Close(HandLinear(model.Linear, t.Layout, input, r) + model.Bias.Value[0], y[r], 1e-5, $"row {r}");
        // 6 embedded slots over 6 weight tables, one dense weight and the bias.
        long tables = model.Linear.TableParameters().Sum(p => (long)p.Size);
        Assert.Equal(tables + 1 + 1, model.ParameterCount);
    }

    [Fact]
    public void DeepFmWithoutDnnIsLinearPlusFmOfTheFieldEmbeddings()
    {
        var t = RankingKit.Task.Value;
        var model = (DeepFm)ModelZoo.Create(t.Layout, RankingKit.Settings("deepfm", p: ("hidden_units", "[]")));
        Randomise(model.Parameters(), 2);
        var input = RankingKit.Batch(Rows);
        var y = model.Forward(input).ToArray();
        for (int r = 0; r < Rows; r++)
        {
            var e = model.Fields.Select(s => HandEmbed(model.Embedder, input, s, r)).ToArray();
            double fm = 0;
            for (int i = 0; i < e.Length; i++)
                for (int j = i + 1; j < e.Length; j++) fm += e[i].Zip(e[j], (a, b) => a * b).Sum(); // Σ_{i<j} ⟨e_i, e_j⟩
            RankingKit.Close(HandLinear(model.Linear, t.Layout, input, r) + fm + model.Bias.Value[0], y[r], 1e-4, $"row {r}");
        }
    }

    [Fact]
    public void DcnWithOneCrossLayerAndNoDnnMatchesTheHandComputation()
    {
        var t = RankingKit.Task.Value;
        var model = (Dcn)ModelZoo.Create(t.Layout, RankingKit.Settings("dcn", p: [("hidden_units", ""), ("cross_layers", "1")]));
        Randomise(model.Parameters(), 3);
        var input = RankingKit.Batch(Rows);
        var y = model.Forward(input).ToArray();
        var output = (Cascade.Nn.Layers.Linear)model.NamedChildren().Single(c => c.Name == "dnn_linear").Module;
        var w = model.Cross.Kernels[0].Value;
        var b = model.Cross.Biases[0].Value;
        Assert.Equal(6 * 8 + 1, model.DeepInputWidth);
        for (int r = 0; r < Rows; r++)
        {
            // x0 = [e_1; …; e_F; x_dense]; x1 = x0 (x0ᵀ w) + b + x0; logit = y_lin + w_outᵀ x1 + b_global.
            var x0 = model.Fields.SelectMany(s => HandEmbed(model.Embedder, input, s, r))
                .Concat(model.DenseFields.Select(s => DenseValue(input, s, r))).ToArray();
            double s = Enumerable.Range(0, x0.Length).Sum(i => x0[i] * w[0, i]);
            double logit = HandLinear(model.Linear, t.Layout, input, r) + model.Bias.Value[0];
            for (int i = 0; i < x0.Length; i++) logit += output.Weight.Value[0, i] * (x0[i] * s + b[i] + x0[i]);
            RankingKit.Close(logit, y[r], 1e-4, $"row {r}");
        }
    }

    [Fact]
    public void EveryRankerIsRegisteredAndGivesOneFiniteLogitPerRowDeterministically()
    {
        var t = RankingKit.Task.Value;
        var input = RankingKit.Batch(Rows);
        foreach (var name in RankingKit.Models)
        {
            Assert.Contains(name, ModelZoo.Models.Keys);
            var a = ModelZoo.Create(t.Layout, RankingKit.Settings(name));
            var b = ModelZoo.Create(t.Layout, RankingKit.Settings(name));
            Assert.Equal(name, a.Name);
            Assert.Equal(ScoreKind.Logit, a.ScoreKind);
            a.Eval();
            b.Eval();
            var ya = a.Forward(input);
            Assert.Equal([Rows], ya.Shape.ToArray());
            Assert.All(ya.ToArray(), v => Assert.True(float.IsFinite(v)));
            Assert.Equal(ya.ToArray(), b.Forward(input).ToArray());
            // Embedding tables and linear weight tables take the L2 penalty; so do DCN's cross kernels (dcn.py's
            // l2_reg_cross), and nothing else.
            var l2 = a.EmbeddingParameters().ToList();
            Assert.NotEmpty(l2);
            var crossKernels = a is Dcn dcn ? dcn.Cross.Kernels : [];
            Assert.All(l2, p => Assert.True(p.IsSparse || crossKernels.Contains(p)));
        }
    }

    [Fact]
    public void DefaultsFollowIntTowersRankerScripts()
    {
        var t = RankingKit.Task.Value;
        var model = (DeepFm)ModelZoo.Create(t.Layout, new ModelSettings("deepfm"));
        Assert.Equal([300, 300, 128], model.Deep.HiddenUnits);
        Assert.Equal(0.1f, model.Deep.Dropout);
        Assert.False(model.Deep.BatchNorm);
        Assert.Equal(32, model.EmbeddingDim);
        // DNN weights N(0, 1e-4): the sample σ of the first layer's 49·32·300 weights sits within 2% of 1e-4.
        var w = model.NamedParameters().Single(p => p.Name == "dnn.0.weight").Parameter.Value.ToArray();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.98e-4, 1.02e-4);
        var dcn = (Dcn)ModelZoo.Create(t.Layout, new ModelSettings("dcn"));
        Assert.Equal(2, dcn.Cross.Options.Layers);
        Assert.Equal(CrossType.Vector, dcn.Cross.Options.Type);
        var autoint = (AutoInt)ModelZoo.Create(t.Layout, new ModelSettings("autoint"));
        Assert.Equal(3, autoint.Layers.Count);
        Assert.Equal(2, autoint.Layers[0].Heads);
    }

    [Theory]
    [InlineData("dcn", "cross_type", "diagonal", "expected vector or matrix")]
    [InlineData("dcn", "low_rank", "4", "cross_type matrix")]
    [InlineData("autoint", "heads", "3", "divisor of the embedding dimension 8")]
    [InlineData("wide-deep", "hidden_units", "[]", "at least one hidden layer")]
    [InlineData("cold", "activation", "swish", "unknown activation 'swish'")]
    [InlineData("cold", "se_gate", "tanh", "expected relu or sigmoid")]
    [InlineData("deepfm", "dropout", "1.5", "probability in [0, 1)")]
    [InlineData("lr", "hidden_units", "[300]", "'hidden_units'")]
    public void BadSettingsAreClearErrors(string model, string key, string value, string message)
    {
        var t = RankingKit.Task.Value;
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Create(t.Layout, RankingKit.Settings(model, p: (key, value))));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void MatrixAndLowRankDcnAndDiceColdBuildAndRun()
    {
        var t = RankingKit.Task.Value;
        var input = RankingKit.Batch(Rows);
        var full = (Dcn)ModelZoo.Create(t.Layout, RankingKit.Settings("dcn", p: ("cross_type", "matrix")));
        var low = (Dcn)ModelZoo.Create(t.Layout, RankingKit.Settings("dcn", p: [("cross_type", "matrix"), ("low_rank", "4")]));
        int n = full.DeepInputWidth;
        Assert.Equal(2 * (n * n + n), full.Cross.ParameterCount);
        Assert.Equal(2 * (2 * n * 4 + n), low.Cross.ParameterCount);
        var cold = ModelZoo.Create(t.Layout, RankingKit.Settings("cold", p: [("activation", "dice"), ("batch_norm", "true")]));
        Assert.Contains(cold.NamedParameters(), p => p.Name == "dnn.act0.alpha");
        foreach (var m in new CtrModel[] { full, low, cold }) Assert.All(m.Forward(input).ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
