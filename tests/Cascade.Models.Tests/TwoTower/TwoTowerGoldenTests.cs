using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Models.TwoTower;
using Cascade.Tensors;

namespace Cascade.Models.Tests.TwoTower;

/// <summary>Fixed-seed golden values of the baselines against float64 compositions written from the equations.</summary>
public class TwoTowerGoldenTests
{
    private static bool User(FeatureSlot s) => s.Feature.Side != FeatureSide.Item;
    private static bool Item(FeatureSlot s) => s.Feature.Side == FeatureSide.Item;

    [Fact]
    public void DssmForwardIsCosineOfTheTowersPlusBias()
    {
        var model = TwoTowerKit.Create("dssm", new() { ["tower"] = "6,5", ["gamma"] = "2" });
        var input = TwoTowerKit.Batch(5);
        model.Forward(input);
        model.Eval();
        float[] scores;
        using (Autograd.NoGrad()) scores = model.Forward(input).ToArray();
        for (int r = 0; r < 5; r++)
        {
            double[] Tower(string prefix, Func<FeatureSlot, bool> side)
            {
                var x = Reference.SideInput(model, input, side, r);
                return Reference.MlpLayer(model, prefix, 1, Reference.MlpLayer(model, prefix, 0, x));
            }
            double expected = 2 * Reference.Cosine(Tower("user_tower", User), Tower("item_tower", Item)) + Reference.Param(model, "output.bias")[0];
            Assert.Equal(expected, scores[r], 4);
        }
        // ReLU towers: the cosine, hence the logit before the bias, lies in [0, γ].
        Assert.All(scores, s => Assert.InRange(s, -1e-5f, 2f + 1e-5f));
    }

    [Fact]
    public void MvkeScoreCombinesTheExpertsWithTheAdGate()
    {
        var model = (Mvke)TwoTowerKit.Create("mvke", TwoTowerKit.Tiny("mvke"));
        var input = TwoTowerKit.Batch(4);
        model.Eval();
        var user = model.EncodeUser(input); // (B, K, Dt)
        var ad = model.EncodeAd(input);     // (B, Dt + K)
        Assert.Equal([4, 2, 5], user.Shape.ToArray());
        Assert.Equal([4, 7], ad.Shape.ToArray());
        var s = model.Score(user, ad).ToArray();
        for (int r = 0; r < 4; r++)
        {
            double[] g = [ad[r, 5], ad[r, 6]];
            Assert.Equal(1.0, g.Sum(), 5); // softmax over the kernels
            var eu = new double[5];
            for (int k = 0; k < 2; k++) for (int d = 0; d < 5; d++) eu[d] += g[k] * user[r, k, d];
            var tag = Enumerable.Range(0, 5).Select(d => (double)ad[r, d]).ToArray();
            Assert.Equal(Reference.Cosine(eu, tag), s[r], 4); // γ = 1, bias 0 at start
        }
    }

    [Theory]
    [InlineData("cosine")]
    [InlineData("dot")]
    public void PolyEncoderScoreAttendsOverTheCodes(string score)
    {
        var parameters = TwoTowerKit.Tiny("poly-encoder");
        if (score != "cosine") parameters["score"] = score; // cosine is the default
        var model = (PolyEncoder)TwoTowerKit.Create("poly-encoder", parameters);
        Assert.Equal(score == "cosine", model.CosineScore);
        var input = TwoTowerKit.Batch(4);
        model.Eval();
        var user = model.EncodeUser(input); // (B, m, D)
        var ad = model.EncodeAd(input);     // (B, D)
        Assert.Equal([4, 2, 5], user.Shape.ToArray());
        var s = model.Score(user, ad).ToArray();
        for (int r = 0; r < 4; r++)
        {
            var v = Reference.Row(ad, r);
            var codes = Reference.Heads(user, r);
            var logits = codes.Select(c => Reference.Dot(c, v)).ToArray();
            double max = logits.Max();
            var w = logits.Select(l => Math.Exp(l - max)).ToArray();
            double z = w.Sum();
            var u = new double[5];
            for (int i = 0; i < codes.Length; i++) for (int d = 0; d < 5; d++) u[d] += w[i] / z * codes[i][d];
            // γ = 1 and bias 0 at start: the logit is cos(u*, v) or u* · v.
            Assert.Equal(score == "cosine" ? Reference.Cosine(u, v) : Reference.Dot(u, v), s[r], 4);
        }
    }

    [Fact]
    public void IntTowerScoresEveryUserProjectionAgainstTheItemHeads()
    {
        var model = (IntTower)TwoTowerKit.Create("inttower", TwoTowerKit.Tiny("inttower"));
        var input = TwoTowerKit.Batch(4);
        model.Eval();
        var user = model.EncodeUser(input);
        var ad = model.EncodeAd(input);
        Assert.Equal([4, 2 * 2, 3], user.Shape.ToArray()); // L = 2 layers × 2 user heads of f = 3
        Assert.Equal([4, 3, 3], ad.Shape.ToArray());         // 3 item heads
        var s = model.Score(user, ad).ToArray();
        for (int r = 0; r < 4; r++) Assert.Equal(Reference.MaxSum(Reference.Heads(user, r), Reference.Heads(ad, r)), s[r], 4);
    }

    [Fact]
    public void IntTowerContrastiveLossIsInBatchInfoNce()
    {
        var u = Tensor.FromArray([1, 0, 0, 1, 1, 1], [3, 2]);
        var v = Tensor.FromArray([2, 0, 0, 3, -1, 0], [3, 2]);
        var labels = Tensor.FromArray([1, 0, 1], [3]);
        var weights = Tensor.FromArray([1, 1, 2], [3]);
        double expected = 0;
        foreach (int i in new[] { 0, 2 })
        {
            var logits = Enumerable.Range(0, 3).Select(j => Reference.Cosine(Reference.Row(u, i), Reference.Row(v, j)) / 0.5).ToArray();
            double lse = Math.Log(logits.Sum(Math.Exp));
            expected += weights[i] * (lse - logits[i]);
        }
        Assert.Equal(expected / 2, TowerScores.InBatchContrastive(u, v, labels, weights, 0.5f).Item(), 4);
    }

    [Fact]
    public void DatMimicLossPullsAugmentedVectorsTowardsTheOtherTowerOnPositives()
    {
        var model = (Dat)TwoTowerKit.Create("dat", new() { ["tower"] = "6,5", ["mimic_weight"] = "0.5" });
        var input = TwoTowerKit.Batch(8);
        model.Eval();
        var pu = model.EncodeUser(input);
        var pv = model.EncodeAd(input);
        var au = Reference.Param(model, "user_augment.weight");
        var av = Reference.Param(model, "item_augment.weight");
        var uid = input.SparseIds("user_id");
        var iid = input.SparseIds("item_id");
        double total = 0;
        for (int r = 0; r < 8; r++)
        {
            if (input.Labels[r] == 0) continue;
            var tv = Reference.Normalize(Reference.Row(pv, r));
            var tu = Reference.Normalize(Reference.Row(pu, r));
            for (int d = 0; d < 5; d++)
            {
                total += Math.Pow(au[uid.Data[r], d] - tv[d], 2);
                total += Math.Pow(av[iid.Data[r], d] - tu[d], 2);
            }
        }
        Assert.Equal(0.5 * total / 8, model.MimicLoss(input).Item(), 4);
        // Stop-gradient on the tower outputs: the mimic loss reaches only the augmented tables.
        model.Train();
        model.ZeroGrad();
        model.MimicLoss(input).Backward();
        var augmented = new[] { "user_augment.weight", "item_augment.weight" };
        Assert.True(TwoTowerKit.MaxAbsGrad(model.NamedParameters().Where(p => augmented.Contains(p.Name)).Select(p => p.Parameter)) > 0);
        Assert.Equal(0f, TwoTowerKit.MaxAbsGrad(model.NamedParameters().Where(p => !augmented.Contains(p.Name)).Select(p => p.Parameter)));
    }
}
