using Cascade.Tensors;

namespace Cascade.Models.Tests.Ranking;

/// <summary>Finite-difference checks of every ranker's gradients with respect to all of its parameters.</summary>
public class RankingGradientTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "lr", "" },
        { "wide-deep", "" },
        { "deepfm", "" },
        { "dcn", "" },
        { "dcn", "cross_type=matrix;low_rank=2" },
        { "autoint", "attention_scaling=true" },
        { "cold", "se_gate=sigmoid" },
        { "cold", "activation=dice;batch_norm=true" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string name, string extra)
    {
        var t = RankingKit.Task.Value;
        // Tiny and fully active: D = 4, DNN (6, 4), no dropout, Xavier DNN weights and embeddings σ = 0.3, so every
        // gradient is O(0.1–1) and a wrong backward cannot hide under the N(0, 1e-4) defaults.
        var p = new List<(string, string)>();
        if (name != "lr") p.AddRange([("hidden_units", "6,4"), ("dropout", "0"), ("dnn_init_std", "0")]);
        if (name == "autoint") p.Add(("attention_layers", "2"));
        foreach (var kv in extra.Split(';', StringSplitOptions.RemoveEmptyEntries)) p.Add((kv.Split('=')[0], kv.Split('=')[1]));
        var model = ModelZoo.Create(t.Layout, RankingKit.Settings(name, dim: 4, initStd: 0.3f, p: [.. p]));
        var input = RankingKit.Batch(4);
        var parameters = model.Parameters().Select(q => q.Value).ToArray();
        // Biases start at zero; move them so the check is not taken at a symmetric point.
        foreach (var q in parameters.Where(q => q.ToArray().All(v => v == 0f))) Tensor.Uniform(q.Shape, 77, -0.2f, 0.2f).Span.CopyTo(q.Span);
        var report = GradCheck.Check(_ => model.Forward(input), parameters);
        Assert.True(report.Passed, $"{name} {extra}: max error {report.MaxError:G4} at {report.Where}");
    }
}
