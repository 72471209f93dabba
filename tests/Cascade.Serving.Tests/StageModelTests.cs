using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Models;
using Cascade.Nn.Checkpoints;
using Cascade.Serving.Bundles;
using Cascade.Serving.Online;
using Cascade.Tensors;
using Cascade.Training;
using Cascade.Training.Config;

namespace Cascade.Serving.Tests;

/// <summary>Stage models named in the serving YAML, bundles with several models per stage, and trained checkpoints.</summary>
public class StageModelTests
{
    private static string ExportWithAlternatives(out BundleSource source)
    {
        source = TestBundle.CreateSource();
        var towers = new Dictionary<string, string> { ["tower"] = "16,8", ["batch_norm"] = "false" };
        var settings = new ModelSettings("dssm", towers, 21, embeddingDim: 8, embeddingInitStd: 0.1f);
        source = source with
        {
            Alternatives =
            [
                new StageAlternative("prerank", new TrainedStage(settings, ModelZoo.Create(source.Encoder.Layout, settings), "dssm-b")),
                new StageAlternative("retrieval", new TrainedStage(settings, ModelZoo.Create(source.Encoder.Layout, settings), "dssm-r")),
            ],
        };
        var dir = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, Guid.NewGuid().ToString("N"), "bundle");
        Bundle.Export(source, dir);
        return dir;
    }

    [Fact]
    public void YamlNamesEachStageModelAndTheEngineServesIt()
    {
        var dir = ExportWithAlternatives(out var source);
        var bundle = Bundle.Load(dir);
        Assert.Equal(["dssm", "dssm-r"], bundle.ModelNames("retrieval"));
        Assert.Equal(["dssm", "dssm-b"], bundle.ModelNames("prerank"));
        Assert.True(File.Exists(Path.Combine(dir, "reps/prerank-dssm-b.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "index-dssm-r.hnsw")));

        var options = ServingOptions.Parse("""
            serving:
              retrieval: {model: dssm-r, k: 64}
              prerank: {model: dssm-b, n: 24}
              rank: {model: deepfm, m: 8}
            """, "stages.yaml") with { DefaultCount = 5, MaxCount = 20 };
        Assert.Equal(("dssm-r", "dssm-b", "deepfm"), (options.RetrievalModel, options.PrerankModel, options.RankModel));
        var engine = new CascadeEngine(bundle, options);
        Assert.Equal(["dssm-r", "dssm-b", "deepfm"], engine.StageModels.Select(m => m.SelectName));
        Assert.Same(bundle.Select("retrieval", "dssm-r").Index, engine.Index);
        // The cached representation is the alternative pre-ranker's own EncodeAd, not the primary's.
        var alt = (ITwoTowerModel)bundle.Select("prerank", "dssm-b").Model;
        var ad = bundle.Ads[7];
        var (expected, _) = Bundle.EncodeAds(bundle.Encoder, alt, [new AdSpec(ad.Id, ad.Bid, ad.Budget, ad.Paused, ad.Features)]);
        // (1-row vs 256-row batches: equal up to GEMM summation order.)
        var served = engine.GetAd(ad.Id)!.PrerankRepresentation;
        Assert.Equal(expected.Length, served.Length);
        for (int j = 0; j < expected.Length; j++) Assert.InRange(served[j], expected[j] - 1e-5f, expected[j] + 1e-5f);
        Assert.Contains(Enumerable.Range(0, expected.Length), j => MathF.Abs(bundle.Ads[7].PrerankRepresentation[j] - expected[j]) > 1e-3f);
        Assert.Equal(5, engine.Recommend(TestBundle.User(2), 5).Ads.Count);
    }

    [Fact]
    public void UnknownOrAmbiguousStageModelsGiveClearErrors()
    {
        var bundle = Bundle.Load(ExportWithAlternatives(out _));
        var missing = Assert.Throws<ArgumentException>(() => new CascadeEngine(bundle, TestBundle.Options with { RetrievalModel = "dssm", PrerankModel = "mvke", Source = "x.yaml" }));
        Assert.Contains("x.yaml", missing.Message);
        Assert.Contains("prerank.model 'mvke'", missing.Message);
        Assert.Contains("dssm, dssm-b", missing.Message);
        var ambiguous = Assert.Throws<ArgumentException>(() => new CascadeEngine(bundle, TestBundle.Options));
        Assert.Contains("'retrieval.model'", ambiguous.Message);
        var bad = Assert.Throws<FormatException>(() => ServingOptions.Parse("serving:\n  rank: {model: 'deep fm'}\n", "bad.yaml"));
        Assert.Contains("bad.yaml:2", bad.Message);
        Assert.Contains("rank.model", bad.Message);
        var method = Assert.Throws<FormatException>(() => ServingOptions.Parse("serving:\n  retrieval: {method: brute}\n", "m.yaml"));
        Assert.Contains("hnsw or exact", method.Message);
        Assert.Equal(RetrievalMethod.Exact, ServingOptions.Parse("serving:\n  retrieval: {method: exact}\n").RetrievalMethod);
        // A single-model bundle needs no names (older bundles and configs keep working).
        Assert.Equal("deepfm", new CascadeEngine(Bundle.Load(TestBundle.Copy()), TestBundle.Options).StageModels[2].SelectName);
    }

    [Fact]
    public void DuplicateOrBadModelNamesAreRefusedAtExport()
    {
        var source = TestBundle.CreateSource();
        var dir = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, Guid.NewGuid().ToString("N"));
        var dup = Assert.Throws<BundleException>(() => Bundle.Export(source with { Alternatives = [new StageAlternative("rank", source.Rank)] }, dir));
        Assert.Contains("two models named 'deepfm'", dup.Message);
        var bad = Assert.Throws<BundleException>(() => Bundle.Export(source with { Alternatives = [new StageAlternative("rank", source.Rank with { Name = "../x" })] }, dir));
        Assert.Contains("letters, digits", bad.Message);
        var notTwoTower = Assert.Throws<BundleException>(() => Bundle.Export(source with { Alternatives = [new StageAlternative("prerank", source.Rank with { Name = "fm" })] }, dir));
        Assert.Contains("not a two-tower model", notTwoTower.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void CheckpointsWrittenByTheTrainerExportAndServe()
    {
        var root = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        // A small CSV of the test schema, prepared as `cascade train` prepares a table dataset.
        var csv = Path.Combine(root, "samples.csv");
        using (var w = new StreamWriter(csv))
        {
            w.WriteLine("user_id,age,hour,item_id,category,genres,price,label");
            for (int r = 0; r < 1200; r++)
            {
                var u = TestBundle.User(r % 40);
                var a = TestBundle.AdFeatures(r % TestBundle.Ads);
                w.WriteLine($"{u["user_id"]},{u["age"]},{u["hour"]},{a["item_id"]},{a["category"]},{string.Join('|', (string[])a["genres"]!)},{a["price"]},{((r * 7 + r / 40) % 3 == 0 ? 1 : 0)}");
            }
        }
        var schema = SchemaLoader.Load(TestBundle.Schema);
        var prepared = TablePreparer.Prepare(schema, TableReaders.Read(schema, csv), 7, 0.2, 0.2);
        TrainedStage Train(string model, Dictionary<string, string> p, string folder)
        {
            var settings = new ModelSettings(model, p, 5, embeddingDim: 8, embeddingInitStd: 0.05f);
            var m = ModelZoo.Create(prepared.Encoder.Layout, settings);
            var training = new TrainingConfig(2, 128, 1024, "mean", "auc", 0, true, 7, Path.Combine(root, folder));
            new Trainer(m, prepared.Encoder.Layout, training, new OptimizerConfig("adam", 0.01f, 0f, 0f)).Fit(prepared.Train, prepared.Validation);
            return TrainedCheckpoints.Load(model == "deepfm" ? "rank" : "retrieval", settings, prepared.Encoder, Path.Combine(root, folder));
        }
        var towers = new Dictionary<string, string> { ["tower"] = "16,8", ["batch_norm"] = "false" };
        var retrieval = Train("dssm", towers, "ckpt-dssm");
        var rank = Train("deepfm", new() { ["hidden_units"] = "16,8", ["dropout"] = "0" }, "ckpt-deepfm");
        // The loaded weights are the trainer's best epoch, not a fresh initialisation.
        var fresh = ModelZoo.Create(prepared.Encoder.Layout, retrieval.Settings);
        Assert.Contains(retrieval.Model.NamedState().Zip(fresh.NamedState()), p => !p.First.Value.Span.SequenceEqual(p.Second.Value.Span));
        Assert.Throws<BundleException>(() => TrainedCheckpoints.Load("rank", rank.Settings, prepared.Encoder, Path.Combine(root, "ckpt-dssm")));
        Assert.Throws<BundleException>(() => TrainedCheckpoints.Load("prerank", rank.Settings, prepared.Encoder, Path.Combine(root, "ckpt-deepfm")));
        Assert.Throws<BundleException>(() => TrainedCheckpoints.ResolveDirectory(Path.Combine(root, "nothing")));

        var ads = Enumerable.Range(0, 50).Select(i => new AdSpec(i + 1, 1.0, 100, false, TestBundle.AdFeatures(i), 1)).ToList();
        var dir = Path.Combine(root, "bundle");
        Bundle.Export(new BundleSource(prepared.Encoder, retrieval, retrieval with { Name = "dssm" }, rank, ads), dir);
        var bundle = Bundle.Load(dir);
        var engine = new CascadeEngine(bundle, TestBundle.Options with { RetrievalK = 40, PrerankN = 20 });
        Assert.Equal(5, engine.Recommend(TestBundle.User(1), 5).Ads.Count);
        // The bundle's ranking weights are the checkpoint's.
        var trainedDir = TrainedCheckpoints.ResolveDirectory(Path.Combine(root, "ckpt-deepfm"));
        var check = ModelZoo.Create(prepared.Encoder.Layout, rank.Settings);
        Checkpoint.Load(trainedDir, check);
        Assert.All(bundle.Rank.NamedState().Zip(check.NamedState()), p => Assert.Equal(p.Second.Value.Span.ToArray(), p.First.Value.Span.ToArray()));
    }
}
