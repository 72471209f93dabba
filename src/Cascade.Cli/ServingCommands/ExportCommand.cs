using System.CommandLine;
using Cascade.Serving.Bundles;

namespace Cascade.Cli.ServingCommands;

/// <summary>
/// `cascade export`: simulates a seeded marketplace, trains the retrieval, pre-ranking and ranking models on it and
/// writes a verified serving bundle (manifest with checksums, encoder, safetensors weights, cached ad
/// representations, HNSW snapshot).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Bundle directory to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing bundle directory." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (DESIGN.md §7): each trained stage's test AUC and oracle AUC." };
        var (users, ads, days, seed, epochs, retrieval, prerank, rank) = PipelineOptionsCli.Options();
        var trained = new Option<string[]>("--model")
        {
            Description = "A stage model trained by `cascade train`: STAGE[:NAME]=TRAIN_CONFIG.yaml[@CHECKPOINT] (repeatable; all three stages "
                + "retrieval, prerank, rank are then required, the first per stage is its default, further ones are alternatives the serving YAML "
                + "can name). CHECKPOINT defaults to the config's training.output_dir/model, else training.checkpoint_dir (best epoch). "
                + "The ads are the simulated market of --users/--ads/--days/--seed.",
            AllowMultipleArgumentsPerToken = false,
        };
        var cmd = new Command("export", "Simulate a market, train retrieval/pre-ranking/ranking models (or take trained checkpoints with --model) and export a serving bundle (docs/design/serving.md).")
        {
            outDir, force, json, users, ads, days, seed, epochs, retrieval, prerank, rank, trained,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                var o = PipelineOptionsCli.Read(parse, users, ads, days, seed, epochs, retrieval, prerank, rank);
                BundleSource source;
                IReadOnlyList<StageQuality> quality = [];
                if (parse.GetValue(trained) is { Length: > 0 } specs)
                {
                    Console.Error.WriteLine($"cascade export: {specs.Length} trained model(s), ads of the simulated market ({o.Users} users, {o.Ads} ads, seed {o.Seed})");
                    var sim = new Cascade.Features.Simulation.SimulatorOptions { Users = o.Users, Ads = o.Ads, Days = o.Days, Seed = o.Seed, RetrievalRows = 4 };
                    source = TrainedExport.Source(specs, MarketPipeline.MarketAds(sim), Console.Error);
                }
                else
                {
                    Console.Error.WriteLine($"cascade export: {o.Users} users, {o.Ads} ads, {o.Days} day(s), models {o.RetrievalModel} → {o.PrerankModel} → {o.RankModel}");
                    var result = MarketPipeline.Run(o, Console.Error);
                    (source, quality) = (result.Source, result.Quality);
                }
                var manifest = Bundle.Export(source, parse.GetValue(outDir)!, parse.GetValue(force));
                Bundle.Load(parse.GetValue(outDir)!);
                var done = $"bundle written and verified: {Path.GetFullPath(parse.GetValue(outDir)!)} ({manifest.AdCount} ads, {manifest.Files.Count} files)";
                if (parse.GetValue(json))
                {
                    Console.Error.WriteLine(done);
                    Console.WriteLine(LoadtestCommand.Json("export", MarketPipeline.QualityRows("export", quality)));
                }
                else Console.WriteLine(done);
                return 0;
            }
            catch (Exception e) when (e is BundleException or ArgumentException or IOException or FormatException)
            {
                Console.Error.WriteLine($"cascade export: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}

/// <summary>The options shared by export and quickstart.</summary>
internal static class PipelineOptionsCli
{
    public static (Option<int>, Option<int>, Option<int>, Option<ulong>, Option<int>, Option<string>, Option<string>, Option<string>) Options(int defaultAds = 2000) => (
        new Option<int>("--users") { Description = "Simulated users.", DefaultValueFactory = _ => 6000 },
        new Option<int>("--ads") { Description = "Simulated ads (the serving corpus).", DefaultValueFactory = _ => defaultAds },
        new Option<int>("--days") { Description = "Simulated days.", DefaultValueFactory = _ => 1 },
        new Option<ulong>("--seed") { Description = "Seed of the simulation and of the models.", DefaultValueFactory = _ => 1UL },
        new Option<int>("--epochs") { Description = "Training epochs per model.", DefaultValueFactory = _ => 3 },
        new Option<string>("--retrieval-model") { Description = "Two-tower retrieval model (its ad embeddings feed HNSW).", DefaultValueFactory = _ => "dssm" },
        new Option<string>("--prerank-model") { Description = "Two-tower pre-ranking model (hit, dssm, mvke, ...).", DefaultValueFactory = _ => "hit" },
        new Option<string>("--rank-model") { Description = "Ranking pCTR model (deepfm, dcn, ...).", DefaultValueFactory = _ => "deepfm" });

    public static PipelineOptions Read(ParseResult p, Option<int> users, Option<int> ads, Option<int> days, Option<ulong> seed, Option<int> epochs,
        Option<string> retrieval, Option<string> prerank, Option<string> rank)
    {
        var o = new PipelineOptions
        {
            Users = p.GetValue(users), Ads = p.GetValue(ads), Days = p.GetValue(days), Seed = p.GetValue(seed), Epochs = p.GetValue(epochs),
            RetrievalModel = p.GetValue(retrieval)!, PrerankModel = p.GetValue(prerank)!, RankModel = p.GetValue(rank)!,
        };
        if (o.Epochs < 1) throw new ArgumentException($"--epochs must be ≥ 1 (got {o.Epochs}).");
        return o;
    }
}
