namespace Cascade.Models.Tests.Ranking;

/// <summary>
/// Every ranker learns the synthetic task and beats logistic regression, which cannot express the user × item
/// interaction (the task's logit is 2.5 · a_u · b_i + 0.8 · [category = age mod 4] − 0.3, so the marginals carry
/// little signal). The task has 48 000 rows (the default 12 000 leave the DNN rankers at 0.63–0.70 after 5 epochs:
/// 48 rows per user are too few for an MLP to learn a dot product), oracle AUC 0.918.
/// Test knobs: embeddings N(0, 0.1²) and Xavier DNN weights instead of the scripts' N(0, 1e-4) (with those, 3 epochs
/// leave Wide&amp;Deep/DCN/AutoInt at 0.68 and COLD at LR level: the SE gate of near-zero embeddings is near zero),
/// DNN (64, 32), Adam 3e-3, 3 epochs of batch 256.
/// </summary>
public class RankingLearningTests
{
    private static readonly Lazy<SyntheticCtr> Task = new(() => SyntheticCtr.Create(n: 48_000));

    private static readonly Lazy<double> LrAuc = new(() => Train("lr"));

    private static double Train(string name)
    {
        var p = new List<(string, string)>();
        if (name != "lr") p.AddRange([("hidden_units", "64,32"), ("dnn_init_std", "0")]);
        // Two interacting layers instead of three keep the test under ~6 s on 2 cores (three: 7.4 s, AUC 0.774).
        if (name == "autoint") p.Add(("attention_layers", "2"));
        var model = ModelZoo.Create(Task.Value.Layout, RankingKit.Settings(name, initStd: 0.1f, p: [.. p]));
        return Task.Value.TrainAndEvaluate(model, epochs: 3, lr: 3e-3f);
    }

    [Fact]
    public void LogisticRegressionLearnsOnlyTheMarginals()
    {
        // Measured 0.541: a little above chance from the age × category co-action's marginals, far below the oracle.
        Assert.InRange(LrAuc.Value, 0.52, 0.58);
    }

    /// <summary>Thresholds: measured AUC minus 0.04–0.05 (wide-deep 0.751, deepfm 0.828, dcn 0.770, autoint 0.774 with three layers, cold 0.650).</summary>
    [Theory]
    [InlineData("wide-deep", 0.70)]
    [InlineData("deepfm", 0.78)]
    [InlineData("dcn", 0.72)]
    [InlineData("autoint", 0.72)]
    [InlineData("cold", 0.61)]
    public void LearnsTheInteractionAndBeatsLogisticRegression(string name, double threshold)
    {
        double auc = Train(name);
        Assert.True(auc > threshold && auc > LrAuc.Value + 0.05, $"{name}: test AUC {auc:F4} (threshold {threshold}), LR {LrAuc.Value:F4}, oracle {Task.Value.OracleAuc:F4}");
    }
}
