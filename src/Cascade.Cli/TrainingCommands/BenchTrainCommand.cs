using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cascade.Cli.Bench;
using Cascade.Features.Data;
using Cascade.Models;
using Cascade.Tensors;
using Cascade.Training;
using Cascade.Training.Config;
using Cascade.Training.Data;

namespace Cascade.Cli.TrainingCommands;

/// <summary>
/// `cascade bench train`: training throughput (forward + backward + Adam step with the IntTower loss: summed BCE +
/// embedding L2) and inference throughput (eval-mode forward) in samples/s on MovieLens-1M batches, per model and
/// batch size. bench/torch/train_bench.py measures the same models and shapes in PyTorch.
/// </summary>
public static class BenchTrainCommand
{
    /// <summary>Creates the `train` subcommand of `bench`.</summary>
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated model names.", DefaultValueFactory = _ => "dssm,hit,deepfm" };
        var batch = new Option<string>("--batch") { Description = "Comma-separated batch sizes.", DefaultValueFactory = _ => "256,2048" };
        var data = new Option<string>("--data") { Description = "MovieLens-1M folder.", DefaultValueFactory = _ => FindMovieLens() ?? "../shared/data/movielens-1m" };
        var samples = new Option<int>("--samples") { Description = "Timed training samples per case (rounded up to whole batches, at least 10 batches).", DefaultValueFactory = _ => 60_000 };
        var cache = new Option<string>("--cache") { Description = "Prepared-data cache folder ('' for none).", DefaultValueFactory = _ => "runs/data-cache" };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." };
        var cmd = new Command("train", "Training and inference throughput (samples/s) of zoo models on MovieLens-1M batches.") { models, batch, data, samples, cache, json };
        cmd.SetAction(parse =>
        {
            var sizes = new List<int>();
            foreach (var part in (parse.GetValue(batch) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int b) || b < 2)
                {
                    Console.Error.WriteLine($"--batch: '{part}' is not a batch size ≥ 2.");
                    return 2;
                }
                sizes.Add(b);
            }
            var names = (parse.GetValue(models) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = names.Where(n => !ModelZoo.Models.ContainsKey(n)).ToList();
            if (unknown.Count > 0 || names.Length == 0 || sizes.Count == 0)
            {
                Console.Error.WriteLine($"--models: unknown {string.Join(", ", unknown)}; registered: {string.Join(", ", ModelZoo.Models.Keys.Order())}. --batch needs at least one size.");
                return 2;
            }
            string? cacheDir = parse.GetValue(cache);
            var config = ExperimentConfig.Default with
            {
                Dataset = new DatasetConfig("movielens", Path.GetFullPath(parse.GetValue(data)!), Cache: string.IsNullOrEmpty(cacheDir) ? null : Path.GetFullPath(cacheDir)),
            };
            ExperimentData prepared;
            try { prepared = ExperimentData.Load(config, s => Console.Error.WriteLine(s)); }
            catch (Exception e) when (TrainCommand.Expected(e))
            {
                Console.Error.WriteLine($"bench train: {e.Message}");
                return 1;
            }
            var results = new List<BenchResult>();
            foreach (var name in names)
                foreach (int b in sizes)
                {
                    var (train, infer, ms) = Measure(prepared, config with { Model = config.Model with { Name = name } }, b, parse.GetValue(samples));
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} batch {b}: train {train:N0} samples/s ({ms:F2} ms/step), inference {infer:N0} samples/s"));
                    results.Add(new BenchResult($"train model={name} batch={b}", "samples_per_s", train, "samples/s"));
                    results.Add(new BenchResult($"infer model={name} batch={b}", "samples_per_s", infer, "samples/s"));
                }
            if (parse.GetValue(json)) BenchCommand.WriteJson("bench train", results);
            else foreach (var r in results) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Case}: {r.Value:N0} {r.Unit}"));
            return 0;
        });
        return cmd;
    }

    private static (double Train, double Infer, double MsPerStep) Measure(ExperimentData data, ExperimentConfig config, int batchSize, int samples)
    {
        var model = ModelZoo.Create(data.Layout, config.ModelSettings());
        var trainer = new Trainer(model, data.Layout, config.Training with { BatchSize = batchSize }, config.Optimizer);
        var batcher = new Batcher(data.Train, new BatcherOptions(batchSize, 7, BatchOrder.Shuffled, DropLast: true));
        int epoch = 0;
        Batch Next()
        {
            if (batcher.Next(out var b)) return b;
            batcher.StartEpoch(++epoch);
            batcher.Next(out b);
            return b;
        }
        batcher.StartEpoch(0);
        model.Train();
        for (int i = 0; i < 5; i++) trainer.TrainStep(Next());
        int steps = Math.Max(10, (samples + batchSize - 1) / batchSize);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) trainer.TrainStep(Next());
        double trainSeconds = sw.Elapsed.TotalSeconds;
        // Inference: eval-mode forward without gradients on the same batches (the arena recycles buffers).
        model.Eval();
        var arena = new TensorArena();
        for (int i = 0; i < 3; i++) using (arena.Activate()) model.Predict(ModelInput.FromBatch(Next(), data.Layout));
        sw.Restart();
        for (int i = 0; i < steps; i++) using (arena.Activate()) model.Predict(ModelInput.FromBatch(Next(), data.Layout));
        double inferSeconds = sw.Elapsed.TotalSeconds;
        return (steps * batchSize / trainSeconds, steps * batchSize / inferSeconds, 1000 * trainSeconds / steps);
    }

    /// <summary>Walks up from the current folder looking for shared/data/movielens-1m beside a parent.</summary>
    public static string? FindMovieLens()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data", "movielens-1m");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
