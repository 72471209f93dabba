using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Models.TwoTower;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Models.Tests.TwoTower;

public class HitTests
{
    private static Hit Tiny(Dictionary<string, string>? extra = null, float initStd = 0.5f)
    {
        var p = TwoTowerKit.Tiny("hit");
        if (extra is not null) foreach (var (k, v) in extra) p[k] = v;
        return (Hit)TwoTowerKit.Create("hit", p, initStd: initStd);
    }

    [Fact]
    public void MaxThenSumMatchesAHandComputation()
    {
        // One row, J = 2, z = 2: user heads (1, 0) and (0, 2); ad heads (3, 1) and (−1, 4).
        // Dots: u1·a1 = 3, u1·a2 = −1 → max 3; u2·a1 = 2, u2·a2 = 8 → max 8; score 11.
        var user = Tensor.FromArray([1, 0, 0, 2], [1, 2, 2]);
        var ad = Tensor.FromArray([3, 1, -1, 4], [1, 2, 2]);
        Assert.Equal(11f, TowerScores.MaxSum(user, ad).Item());
        // Random (B = 3, J = 3, z = 4) against the float64 loop; the model's Score adds its bias (0 at start).
        var u = Tensor.Randn([3, 3, 4], 11);
        var a = Tensor.Randn([3, 3, 4], 12);
        var s = Tiny().Score(u, a).ToArray();
        for (int r = 0; r < 3; r++) Assert.Equal(Reference.MaxSum(Reference.Heads(u, r), Reference.Heads(a, r)), s[r], 4);
    }

    [Fact]
    public void ForwardMatchesAnIndependentFloat64Composition()
    {
        var model = Tiny();
        var input = TwoTowerKit.Batch(5);
        model.Forward(input);
        model.Eval();
        float[] scores;
        using (Autograd.NoGrad()) scores = model.Forward(input).ToArray();
        for (int r = 0; r < 5; r++)
        {
            double[][] user = TowerHeads(model, input, "user_tower", FeatureSide.User, r);
            double[][] ad = TowerHeads(model, input, "ad_tower", FeatureSide.Item, r);
            Assert.Equal(2, user.Length);
            Assert.Equal(3, user[0].Length);
            double expected = Reference.MaxSum(user, ad) + Reference.Param(model, "output.bias")[0];
            Assert.Equal(expected, scores[r], 4);
        }
    }

    // Eq. (3)–(6) for one row in float64: generators on static fields, normalised mimics, DNN, representer.
    private static double[][] TowerHeads(Hit m, ModelInput input, string tower, FeatureSide side, int r)
    {
        bool Own(FeatureSlot s) => side == FeatureSide.User ? s.Feature.Side != FeatureSide.Item : s.Feature.Side == FeatureSide.Item;
        var staticInput = Reference.SideInput(m, input, s => Own(s) && s.Feature.Lifetime == FeatureLifetime.Static, r);
        var parts = new List<double>();
        foreach (var g in new[] { "target_generator", "nontarget_generator" })
        {
            var x = staticInput;
            for (int i = 0; i < 3; i++) x = Reference.MlpLayer(m, $"{tower}.{g}.mlp", i, x, batchNorm: false, activate: i < 2);
            Assert.Equal(6, x.Length); // p = z·J = 3·2
            parts.AddRange(Reference.Normalize(x));
        }
        parts.AddRange(Reference.SideInput(m, input, Own, r));
        var h = Reference.MlpLayer(m, $"{tower}.dnn", 0, parts.ToArray());
        h = Reference.MlpLayer(m, $"{tower}.dnn", 1, h);
        var rep = Reference.Linear(h, Reference.Param(m, $"{tower}.representer.projection.weight"), Reference.Param(m, $"{tower}.representer.projection.bias"));
        return [rep[..3], rep[3..]];
    }

    [Fact]
    public void GenerationLossMatchesEquation8ByHand()
    {
        var model = Tiny(new() { ["alpha"] = "0.5" });
        var input = TwoTowerKit.Batch(8);
        model.Eval();
        var user = model.UserTower.Forward(input);
        var ad = model.AdTower.Forward(input);
        double total = 0;
        for (int r = 0; r < 8; r++)
        {
            double y = input.Labels[r];
            var ra = Reference.Heads(ad.Heads, r).SelectMany(v => v).ToArray();
            var ru = Reference.Heads(user.Heads, r).SelectMany(v => v).ToArray();
            total += y * (1 - Reference.Cosine(Reference.Row(user.Generated[0]!, r), ra)) + (1 - y) * (1 - Reference.Cosine(Reference.Row(user.Generated[1]!, r), ra));
            total += y * (1 - Reference.Cosine(Reference.Row(ad.Generated[0]!, r), ru)) + (1 - y) * (1 - Reference.Cosine(Reference.Row(ad.Generated[1]!, r), ru));
        }
        Assert.Contains(0f, input.Labels.ToArray());
        Assert.Contains(1f, input.Labels.ToArray());
        Assert.Equal(0.5 * total / 8, model.GenerationLoss(input).Item(), 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GeneratorsSeeOnlyStaticFeatures(bool dynamicToGenerators)
    {
        var model = Tiny(new() { ["generator_dynamic"] = dynamicToGenerators ? "true" : "false" });
        model.Eval();
        var input = TwoTowerKit.Batch(8);
        var userGen = model.UserTower.Generate(input)[0]!.ToArray();
        var adGen = model.AdTower.Generate(input)[1]!.ToArray();
        var userHeads = model.EncodeUser(input).ToArray();
        var adHeads = model.EncodeAd(input).ToArray();
        // Change the dynamic features: the context 'hour' (user tower) and the item 'price' (ad tower).
        var hour = input.SparseIds("hour");
        int hours = input.Layout["hour"].TableSize;
        for (int i = 0; i < hour.Size; i++) hour.Data[i] = hour.Data[i] % (hours - 1) + 1; // ids 1..n−1 shift by one (n−1 wraps to 1)
        int price = input.DenseColumn("price");
        for (int r = 0; r < 8; r++) input.Dense[r, price] += 0.7f;
        Assert.NotEqual(userHeads, model.EncodeUser(input).ToArray()); // the towers do read them
        Assert.NotEqual(adHeads, model.EncodeAd(input).ToArray());
        if (dynamicToGenerators)
        {
            Assert.NotEqual(userGen, model.UserTower.Generate(input)[0]!.ToArray());
            Assert.NotEqual(adGen, model.AdTower.Generate(input)[1]!.ToArray());
        }
        else
        {
            Assert.Equal(userGen, model.UserTower.Generate(input)[0]!.ToArray());
            Assert.Equal(adGen, model.AdTower.Generate(input)[1]!.ToArray());
            Assert.DoesNotContain(model.UserTower.GeneratorFields.Embedded, s => s.Feature.Lifetime == FeatureLifetime.Dynamic);
            Assert.Empty(model.AdTower.GeneratorFields.Dense); // price is the only item dense feature and it is dynamic
        }
    }

    [Fact]
    public void StopGradientsSeparateTheTwoLosses()
    {
        var model = Tiny(new() { ["alpha"] = "1" });
        var input = TwoTowerKit.Batch(16);
        var generators = model.GeneratorParameters().ToList();
        Assert.Equal(4 * 6, generators.Count); // 4 generators × 3 linear layers × (weight, bias)
        var others = model.Parameters().Except(generators).ToList();

        model.ZeroGrad();
        model.GenerationLoss(input).Backward();
        Assert.True(TwoTowerKit.MaxAbsGrad(generators) > 0, "the generation loss trains the generators");
        Assert.Equal(0f, TwoTowerKit.MaxAbsGrad(others)); // embeddings, towers, representers, bias untouched

        model.ZeroGrad();
        var scores = model.Forward(input);
        Assert.NotNull(model.AuxiliaryLoss);
        model.PredictionLoss(scores, input, LossReduction.Mean).Backward();
        Assert.Equal(0f, TwoTowerKit.MaxAbsGrad(generators)); // stop-gradient on the generator output
        Assert.True(TwoTowerKit.MaxAbsGrad(others) > 0);
    }

    [Fact]
    public void GenerationLossGradientMatchesFiniteDifferences()
    {
        var model = Tiny(new() { ["alpha"] = "1", ["generator_hidden"] = "16,16" });
        var input = TwoTowerKit.Batch(6);
        model.Eval();
        // Cosine has no gradient at a zero vector (the norm floor turns it into dy/ε); a generator whose ReLUs are all
        // off for a row outputs its zero-initialised bias, so the check first makes sure no row sits there.
        foreach (var g in model.UserTower.Generate(input).Concat(model.AdTower.Generate(input)))
            for (int r = 0; r < 6; r++) Assert.True(Reference.Row(g!, r).Sum(v => v * v) > 1e-4, "a generator output row is zero; pick another seed");
        // The representer heads are held fixed: numerically, a generator also moves its own tower (through the detached
        // mimic vector) and so the other side's target, a path the stop-gradient cuts on purpose.
        var userHeads = model.UserTower.Forward(input).Heads;
        var adHeads = model.AdTower.Forward(input).Heads;
        var report = GradCheck.Check(_ => model.GenerationLoss(new HitTowerOutput(userHeads, model.UserTower.Generate(input)),
            new HitTowerOutput(adHeads, model.AdTower.Generate(input)), input), model.GeneratorParameters().Select(p => p.Value).ToArray(), eps: 1e-4);
        Assert.True(report.Passed, $"max error {report.MaxError:G4} at {report.Where}");
    }

    [Fact]
    public void WithoutGeneratorsTheWholeModelMatchesFiniteDifferences()
    {
        // With generators, the static embeddings also feed the (detached) generator inputs, so their numeric
        // gradient includes a path autograd deliberately cuts; without generators every parameter is checked.
        var model = Tiny(new() { ["generators"] = "false" });
        var input = TwoTowerKit.Batch(6);
        model.Forward(input);
        model.Eval();
        var report = GradCheck.Check(_ => model.Forward(input), model.Parameters().Select(p => p.Value).ToArray(), eps: 1e-4);
        Assert.True(report.Passed, $"max error {report.MaxError:G4} at {report.Where}");
    }

    public static TheoryData<string, string> Ablations => new()
    {
        { "generators", "false" },           // Table 3 panel A: w/o generators
        { "representers", "false" },         // w/o representers (one head: the tower output)
        { "target_generator", "false" },     // panel B: w/o target
        { "nontarget_generator", "false" },  // w/o non-target
        { "generator_dynamic", "true" },     // panel C: w/ dynamic features
        { "generation_loss", "mae" },        // panel D
        { "generation_loss", "mse" },
        { "heads", "1" }, { "heads", "3" }, { "heads", "4" }, { "heads", "5" }, { "heads", "6" }, // Figure 4
    };

    [Theory]
    [MemberData(nameof(Ablations))]
    public void EveryAblationBuildsAndTrainsAStep(string key, string value)
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (key == "representers") settings["heads"] = "1"; // one head is what "w/o representers" scores
        var model = Tiny(settings, initStd: 0.1f);
        var input = TwoTowerKit.Batch(32);
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), 1e-2f, 0f));
        var before = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        opt.ZeroGrad();
        var scores = model.Forward(input);
        var loss = model.PredictionLoss(scores, input, LossReduction.Mean);
        Assert.Equal(key == "generators", model.AuxiliaryLoss is null);
        if (model.AuxiliaryLoss is { } aux)
        {
            Assert.True(float.IsFinite(aux.Item()) && aux.Item() >= 0);
            loss = Ops.Add(loss, aux);
        }
        Assert.True(float.IsFinite(loss.Item()));
        loss.Backward();
        opt.Step();
        var after = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        Assert.Contains(Enumerable.Range(0, before.Count), i => !before[i].SequenceEqual(after[i]));
        var ad = model.EncodeAd(input);
        int heads = key == "heads" ? int.Parse(value) : key == "representers" ? 1 : 2;
        int z = key == "representers" ? 5 : 3; // without representers the head is the d_L = 5 tower output
        Assert.Equal([32, heads, z], ad.Shape.ToArray());
        Assert.Equal(model.Options.GeneratorCount, key switch
        {
            "generators" => 0,
            "target_generator" or "nontarget_generator" => 1,
            _ => 2,
        });
    }

    [Fact]
    public void ContradictoryOptionsAreRejected()
    {
        var both = Assert.Throws<ArgumentException>(() => Tiny(new() { ["target_generator"] = "false", ["nontarget_generator"] = "false" }));
        Assert.Contains("generators=false", both.Message);
        var loss = Assert.Throws<ArgumentException>(() => Tiny(new() { ["generation_loss"] = "kl" }));
        Assert.Contains("'generation_loss'", loss.Message);
        var heads = Assert.Throws<ArgumentException>(() => Tiny(new() { ["representers"] = "false", ["heads"] = "3" }));
        Assert.Contains("representers=false", heads.Message);
        Assert.Throws<InvalidOperationException>(() => Tiny(new() { ["generators"] = "false" }).GenerationLoss(TwoTowerKit.Batch(4)));
    }
}
