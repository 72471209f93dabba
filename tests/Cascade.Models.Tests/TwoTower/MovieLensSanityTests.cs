using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Features.Readers;
using Cascade.Nn;
using Cascade.Nn.Optim;
using Cascade.Tensors;
using Cascade.Training.Metrics;
using Xunit.Abstractions;

namespace Cascade.Models.Tests.TwoTower;

/// <summary>
/// Sanity runs of DSSM and HIT on the real MovieLens-1M (inttower protocol, tail validation): 2 epochs, batch 2048,
/// Adam lr 1e-3, BCE summed per batch plus the model's auxiliary loss, L2 1e-5 on embeddings (as weight decay 2e-5 on
/// the touched rows), seed 1023. Runs only with CASCADE_LONG=1 (minutes, not CI); the reproduction itself is
/// `cascade reproduce`. Results go to the test output and to CASCADE_LONG_OUT when set.
/// </summary>
public class MovieLensSanityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dssm")]
    [InlineData("hit")]
    public void TrainsOnMovieLens(string name)
    {
        if (Environment.GetEnvironmentVariable("CASCADE_LONG") != "1") return; // opt-in long run
        string? dir = FindData("movielens-1m");
        if (dir is null)
        {
            output.WriteLine("skipped: no shared/data/movielens-1m beside a parent of the test directory");
            return;
        }
        var sw = Stopwatch.StartNew();
        var data = MovieLensProtocol.Prepare(new MovieLensOptions(dir));
        Log($"{name}: prepared {data.Description} train={data.Train.Count} validation={data.Validation.Count} test={data.Test.Count} in {sw.Elapsed.TotalSeconds:F0}s");
        var layout = data.Encoder.Layout;
        var model = ModelZoo.Create(layout, new ModelSettings(name, seed: 1023));
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), 1e-3f, 0f,
            new Dictionary<string, (float, float)> { [Parameter.EmbeddingGroup] = (1e-3f, 2e-5f) }));
        var arena = new TensorArena();
        var batcher = new Batcher(data.Train, new BatcherOptions(2048, 1023));
        double lastAuc = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            sw.Restart();
            model.Train();
            batcher.StartEpoch(epoch);
            double lossSum = 0;
            while (batcher.Next(out var batch))
            {
                using (arena.Activate())
                {
                    var input = ModelInput.FromBatch(batch, layout);
                    opt.ZeroGrad();
                    var loss = model.PredictionLoss(model.Forward(input), input, LossReduction.Sum);
                    if (model.AuxiliaryLoss is { } aux) loss = Ops.Add(loss, aux);
                    lossSum += loss.Item();
                    loss.Backward();
                    opt.Step();
                }
            }
            double train = sw.Elapsed.TotalSeconds;
            var (vAuc, _) = Evaluate(model, data.Validation, layout);
            var (tAuc, tLoss) = Evaluate(model, data.Test, layout);
            lastAuc = tAuc;
            Log($"{name} epoch {epoch + 1}: train loss/row {lossSum / data.Train.Count:F4}, val AUC {vAuc:F4}, test AUC {tAuc:F4}, test logloss {tLoss:F4}, {train:F0}s training, {model.ParameterCount} params");
        }
        Assert.True(lastAuc > 0.8, $"{name}: test AUC {lastAuc:F4} after 2 epochs");
    }

    [Fact]
    public void ParameterCountsOnMovieLens()
    {
        if (Environment.GetEnvironmentVariable("CASCADE_LONG") != "1") return;
        string? dir = FindData("movielens-1m");
        if (dir is null) return;
        var layout = MovieLensProtocol.Prepare(new MovieLensOptions(dir)).Encoder.Layout;
        foreach (var name in TwoTowerKit.Models)
            Log($"{name}: {ModelZoo.Create(layout, new ModelSettings(name, seed: 1023)).ParameterCount} parameters (defaults, embedding dim 32)");
    }

    private static (double Auc, double LogLoss) Evaluate(CtrModel model, ColumnarDataset ds, Cascade.Features.Encoders.FeatureLayout layout)
    {
        model.Eval();
        var b = new Batcher(ds, new BatcherOptions(4096, 1, BatchOrder.Sequential));
        b.StartEpoch(0);
        var p = new List<float>();
        var l = new List<float>();
        while (b.Next(out var batch))
        {
            p.AddRange(model.Predict(ModelInput.FromBatch(batch, layout)));
            l.AddRange(batch.LabelSpan.ToArray());
        }
        model.Train();
        return (BinaryMetrics.Auc(p.ToArray(), l.ToArray()), BinaryMetrics.LogLoss(p.ToArray(), l.ToArray()));
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("CASCADE_LONG_OUT") is { Length: > 0 } path) File.AppendAllText(path, line + Environment.NewLine);
    }

    private static string? FindData(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", name);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
