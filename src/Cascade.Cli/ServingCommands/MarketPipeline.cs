using System.Diagnostics;
using System.Globalization;
using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Features.Simulation;
using Cascade.Models;
using Cascade.Nn;
using Cascade.Nn.Optim;
using Cascade.Serving.Bundles;
using Cascade.Tensors;
using Cascade.Training.Metrics;

namespace Cascade.Cli.ServingCommands;

/// <summary>Settings of the simulate → train → bundle pipeline shared by `cascade export` and `cascade quickstart`.</summary>
internal sealed record PipelineOptions
{
    public int Users { get; init; } = 6000;
    public int Ads { get; init; } = 2000;
    public int Days { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    public int Epochs { get; init; } = 3;
    public string RetrievalModel { get; init; } = "dssm";
    public string PrerankModel { get; init; } = "hit";
    public string RankModel { get; init; } = "deepfm";
}

/// <summary>
/// One stage model's held-out quality next to the oracle (ground-truth click probability, <see cref="ClickTruth"/>) on
/// the same rows: <paramref name="All"/> on every test row the stage is evaluated on (the cascade's exposures, ranked
/// and retrieved-only rows; only exposures can be clicked), <paramref name="Shown"/> on the test exposures alone.
/// </summary>
internal sealed record StageQuality(string Stage, string Model, OracleAuc All, OracleAuc Shown)
{
    /// <summary>"test AUC 0.6303 (ground truth 0.9632); shown ads 0.4888 (ground truth 0.7435)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"test AUC {All.Model:0.0000} (ground truth {All.Oracle:0.0000}); shown ads {Shown.Model:0.0000} (ground truth {Shown.Oracle:0.0000})");
}

/// <summary>What the pipeline produced: the bundle source, per-stage test and oracle AUCs and held-out clicked requests for recall and load.</summary>
internal sealed record PipelineResult(BundleSource Source, IReadOnlyList<StageQuality> Quality,
    IReadOnlyList<Dictionary<string, object?>> HeldOutRequests, IReadOnlyList<long> HeldOutClickedAds, SimulationSummary Simulation);

/// <summary>
/// Simulates a seeded marketplace (<see cref="MarketSimulator"/>), prepares its samples with the training encoders
/// (temporal split: the last 20 % of requests are held out), trains the three stage models with Adam (mean BCE plus
/// each model's auxiliary loss, batch 512, lr 2e-3) and assembles the ad corpus from the market's day-0 state.
/// Each model's test AUC is reported next to the oracle AUC of the simulator's exact click probability on the same
/// rows (<see cref="StageQuality"/>): on all test rows and on the test exposures (docs/design/serving.md, Quick-start).
/// Serving ad ids are simulator ad ids + 1 (event ids must be positive); the ad_id feature keeps the simulator id.
/// </summary>
internal static class MarketPipeline
{
    private static readonly string[] RequestColumns = ["user_id", "age", "gender", "occupation", "city_tier", "hour", "device", "hist_ads", "hist_cats", "hist_ts", "time_left_ratio", "exposure_count"];

    public static PipelineResult Run(PipelineOptions o, TextWriter log)
    {
        var sim = new SimulatorOptions { Users = o.Users, Ads = o.Ads, Days = o.Days, Seed = o.Seed, RetrievalRows = 4 };
        var dir = Path.Combine(Path.GetTempPath(), $"cascade-market-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var sw = Stopwatch.StartNew();
        try
        {
            var summary = SimulationOutput.WriteDirectory(sim, dir);
            log.WriteLine($"  simulated {summary.Users:N0} users, {summary.Ads:N0} ads, {summary.Samples:N0} samples (CTR {summary.Ctr:P2}) in {sw.Elapsed.TotalSeconds:0.0} s");
            var schema = SchemaLoader.LoadFile(Path.Combine(dir, "schema.yaml"));
            var table = TableReaders.Read(schema, Path.Combine(dir, "samples.csv"), new ReadOptions { KeepColumns = ClickTruth.Columns });
            var prepared = TablePreparer.Prepare(schema, table, o.Seed, testFraction: 0.2, validationFraction: 0.0, temporal: true);
            var truth = ClickTruth.ForRows(table, prepared.TestRows);
            var shownTest = Exposures(prepared.Test);
            log.WriteLine($"  prepared {prepared.Train.Count:N0} training and {prepared.Test.Count:N0} test rows ({shownTest.Length:N0} test exposures) in {sw.Elapsed.TotalSeconds:0.0} s");
            var quality = new List<StageQuality>();
            TrainedStage Train(string stage, string model, Dictionary<string, string> p, ulong seed)
            {
                var settings = new ModelSettings(model, p, seed, embeddingDim: 16, embeddingInitStd: 1e-2f);
                var m = ModelZoo.Create(prepared.Encoder.Layout, settings);
                var t = Stopwatch.StartNew();
                var scores = TrainAndPredict(m, prepared.Train, prepared.Test, prepared.Encoder.Layout, o.Epochs, seed);
                var all = OracleMetrics.Evaluate(scores, prepared.Test.Labels, truth);
                var shown = OracleMetrics.Evaluate(scores, prepared.Test.Labels, truth, shownTest);
                var q = new StageQuality(stage, model, all, shown);
                quality.Add(q);
                log.WriteLine($"  trained {stage,-9} {model,-8} {q.Describe()} ({t.Elapsed.TotalSeconds:0.0} s)");
                return new TrainedStage(settings, m);
            }
            var retrieval = Train("retrieval", o.RetrievalModel, Params(o.RetrievalModel), o.Seed + 11);
            var prerank = Train("prerank", o.PrerankModel, Params(o.PrerankModel), o.Seed + 12);
            var rank = Train("rank", o.RankModel, Params(o.RankModel), o.Seed + 13);

            var (requests, clicked) = HeldOutClicks(table, 0.2);
            var ads = MarketAds(sim);
            return new PipelineResult(new BundleSource(prepared.Encoder, retrieval, prerank, rank, ads), quality, requests, clicked, summary);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>DESIGN.md §7 rows of each stage's quality: `auc` and `oracle_auc` on all test rows and on the test exposures.</summary>
    public static IEnumerable<(string Case, string Metric, double Value, string Unit)> QualityRows(string command, IEnumerable<StageQuality> quality)
        => quality.SelectMany(q => new[]
        {
            ($"{command} stage={q.Stage} model={q.Model}", "auc", q.All.Model, "auc"),
            ($"{command} stage={q.Stage} model={q.Model}", "oracle_auc", q.All.Oracle, "auc"),
            ($"{command} stage={q.Stage} model={q.Model} rows=exposures", "auc", q.Shown.Model, "auc"),
            ($"{command} stage={q.Stage} model={q.Model} rows=exposures", "oracle_auc", q.Shown.Oracle, "auc"),
        });

    // Indices of the exposure rows (the only rows whose click label was drawn; the others are 0 by construction).
    private static int[] Exposures(ColumnarDataset data)
    {
        var rows = new List<int>();
        for (int i = 0; i < data.Count; i++) if (data.Sources[i] == (byte)SampleSource.Exposure) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>The serving ad corpus: the simulated market's day-0 ads (ids + 1), as `cascade simulate` with the same options draws them.</summary>
    public static List<AdSpec> MarketAds(SimulatorOptions sim)
    {
        var market = new MarketSimulator(sim).Market;
        var ads = new List<AdSpec>(market.Count);
        for (int a = 0; a < market.Count; a++)
        {
            var features = new Dictionary<string, object?>
            {
                ["ad_id"] = a.ToString(CultureInfo.InvariantCulture), ["advertiser_id"] = market.Advertiser[a].ToString(CultureInfo.InvariantCulture),
                ["category"] = market.Category[a].ToString(CultureInfo.InvariantCulture),
                ["tags"] = market.TagsOf(a).ToArray().Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray(),
                ["bid_type"] = MarketSimulator.BidTypeName(market.Bid[a]), ["default_bid"] = market.DefaultBid[a],
                ["bid_constraint"] = market.BidConstraint[a], ["budget_left_ratio"] = 1.0,
            };
            ads.Add(new AdSpec(a + 1, market.DefaultBid[a], market.DailyBudget[a], Paused: false, features, Version: 1));
        }
        return ads;
    }

    // Small towers so that three models train in well under a minute on 2 cores.
    private static Dictionary<string, string> Params(string model) => model switch
    {
        "dssm" => new() { ["tower"] = "128,64", ["gamma"] = "10" },
        "hit" => new() { ["tower"] = "128,64", ["heads"] = "2", ["head_dim"] = "16" },
        "deepfm" or "dcn" or "wide-deep" or "autoint" => new() { ["hidden_units"] = "128,64", ["dropout"] = "0" },
        _ => new(),
    };

    private static float[] TrainAndPredict(CtrModel model, ColumnarDataset train, ColumnarDataset test, Cascade.Features.Encoders.FeatureLayout layout, int epochs, ulong seed)
    {
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), 2e-3f, 0f));
        var arena = new TensorArena();
        var batcher = new Batcher(train, new BatcherOptions(512, seed));
        model.Train();
        for (int e = 0; e < epochs; e++)
        {
            batcher.StartEpoch(e);
            while (batcher.Next(out var batch))
            {
                using var _ = arena.Activate();
                var input = ModelInput.FromBatch(batch, layout);
                opt.ZeroGrad();
                var scores = model.Forward(input);
                var loss = model.PredictionLoss(scores, input, LossReduction.Mean);
                if (model.AuxiliaryLoss is { } aux) loss = Ops.Add(loss, aux);
                loss.Backward();
                opt.Step();
            }
        }
        model.Eval();
        var eval = new Batcher(test, new BatcherOptions(2048, 1, BatchOrder.Sequential));
        eval.StartEpoch(0);
        var preds = new List<float>(test.Count);
        while (eval.Next(out var batch))
        {
            using var _ = arena.Activate();
            preds.AddRange(model.Predict(ModelInput.FromBatch(batch, layout)));
        }
        return preds.ToArray();
    }

    // Clicked rows of the held-out tail (rows are written in request order): their request features and clicked ad.
    private static (List<Dictionary<string, object?>>, List<long>) HeldOutClicks(RawTable table, double fraction)
    {
        int click = table.IndexOf("click"), ad = table.IndexOf("ad_id");
        var cols = RequestColumns.Select(c => (c, table.IndexOf(c))).Where(x => x.Item2 >= 0).ToArray();
        var requests = new List<Dictionary<string, object?>>();
        var ads = new List<long>();
        for (int r = (int)(table.Rows.Count * (1 - fraction)); r < table.Rows.Count && requests.Count < 2000; r++)
        {
            var row = table.Rows[r];
            if (row[click] != "1") continue;
            var f = new Dictionary<string, object?>();
            foreach (var (name, i) in cols) if (!string.IsNullOrEmpty(row[i])) f[name] = row[i];
            requests.Add(f);
            ads.Add(long.Parse(row[ad]!, CultureInfo.InvariantCulture) + 1);
        }
        return (requests, ads);
    }
}
