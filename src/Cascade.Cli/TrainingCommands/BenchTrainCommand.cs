using System.CommandLine;
using System.Globalization;
using Cascade.Cli.Bench;
using Cascade.Kernels;
using Cascade.Models;
using Cascade.Training;
using Cascade.Training.Config;
using Cascade.Training.Data;

namespace Cascade.Cli.TrainingCommands;

/// <summary>
/// `cascade bench train`: training throughput (forward + backward + Adam step with the IntTower loss: summed BCE +
/// embedding L2) and inference throughput (eval-mode forward) in samples/s on MovieLens-1M batches, per model and
/// batch size. bench/torch/train_bench.py measures the same models and shapes in PyTorch with the same options
/// (--threads, --warmup, --passes, --samples), so the two are compared at equal thread counts.
/// </summary>
public static class BenchTrainCommand
{
    /// <summary>Creates the `train` subcommand of `bench`.</summary>
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated model names.", DefaultValueFactory = _ => "dssm,hit,deepfm" };
        var batch = new Option<string>("--batch") { Description = "Comma-separated batch sizes.", DefaultValueFactory = _ => "256,2048" };
        var data = new Option<string>("--data") { Description = "MovieLens-1M folder.", DefaultValueFactory = _ => FindMovieLens() ?? "../shared/data/movielens-1m" };
        var samples = new Option<int>("--samples") { Description = "Timed samples per pass (rounded up to whole batches, at least 10 batches).", DefaultValueFactory = _ => 20_000 };
        var passes = new Option<int>("--passes") { Description = "Timed passes per case; the median pass is reported (best and CPU time too).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Warm-up seconds per case before timing (tiered JIT reaches its optimised code; at least 20 steps).", DefaultValueFactory = _ => 2.0 };
        var threads = new Option<int>("--threads") { Description = "Thread cap of the GEMM (1 = everything on one thread); compare with train_bench.py --threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cache = new Option<string>("--cache") { Description = "Prepared-data cache folder ('' for none).", DefaultValueFactory = _ => "runs/data-cache" };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." };
        var cmd = new Command("train", "Training and inference throughput (samples/s) of zoo models on MovieLens-1M batches.")
            { models, batch, data, samples, passes, warmup, threads, cache, json };
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
            var plan = new BenchTrainPlan(parse.GetValue(samples), parse.GetValue(passes), parse.GetValue(warmup));
            int threadCap = parse.GetValue(threads);
            string? problem = threadCap < 1 ? $"--threads: expected at least 1, got {threadCap}." : plan.Problem();
            if (problem is not null)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }
            Gemm.MaxThreads = threadCap;
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
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench train: {Math.Min(threadCap, Environment.ProcessorCount)} thread(s), {plan.Passes} passes of ≥ {plan.Samples:N0} samples, {plan.WarmupSeconds:F1} s warm-up per case"));
            var results = new List<BenchResult>();
            foreach (var name in names)
                foreach (int b in sizes)
                {
                    var m = BenchTrainMeasure.Run(prepared, config with { Model = config.Model with { Name = name } }, b, plan);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name} batch {b}: train {m.Train.Median:N0} samples/s (best {m.Train.Best:N0}, {m.Train.PerCpuSecond:N0} per CPU-s, {m.Train.PerMainThreadCpuSecond:N0} per main-thread CPU-s, {m.Train.MsPerStep:F2} ms/step), " +
                        $"inference {m.Infer.Median:N0} samples/s (best {m.Infer.Best:N0}, {m.Infer.PerCpuSecond:N0} per CPU-s, {m.Infer.PerMainThreadCpuSecond:N0} per main-thread CPU-s)"));
                    string tag = $"model={name} batch={b} threads={threadCap}";
                    results.Add(new BenchResult($"train {tag}", "samples_per_s", m.Train.Median, "samples/s"));
                    results.Add(new BenchResult($"train {tag}", "best_samples_per_s", m.Train.Best, "samples/s"));
                    results.Add(new BenchResult($"train {tag}", "samples_per_cpu_s", m.Train.PerCpuSecond, "samples/CPU-s"));
                    if (m.Train.PerMainThreadCpuSecond is { } trainMain) results.Add(new BenchResult($"train {tag}", "samples_per_main_thread_cpu_s", trainMain, "samples/CPU-s"));
                    results.Add(new BenchResult($"infer {tag}", "samples_per_s", m.Infer.Median, "samples/s"));
                    results.Add(new BenchResult($"infer {tag}", "best_samples_per_s", m.Infer.Best, "samples/s"));
                    results.Add(new BenchResult($"infer {tag}", "samples_per_cpu_s", m.Infer.PerCpuSecond, "samples/CPU-s"));
                    if (m.Infer.PerMainThreadCpuSecond is { } inferMain) results.Add(new BenchResult($"infer {tag}", "samples_per_main_thread_cpu_s", inferMain, "samples/CPU-s"));
                }
            if (parse.GetValue(json)) BenchCommand.WriteJson("bench train", results);
            else foreach (var r in results) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Case} {r.Metric}: {r.Value:N0} {r.Unit}"));
            return 0;
        });
        return cmd;
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
