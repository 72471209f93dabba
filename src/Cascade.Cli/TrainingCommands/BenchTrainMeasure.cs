using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Models;
using Cascade.Tensors;
using Cascade.Training;
using Cascade.Training.Config;
using Cascade.Training.Data;

namespace Cascade.Cli.TrainingCommands;

/// <summary>How `cascade bench train` times a case: samples per pass, timed passes and warm-up seconds.</summary>
/// <param name="Samples">Timed samples per pass (rounded up to whole batches, at least 10 batches).</param>
/// <param name="Passes">Timed passes; the median is the headline figure.</param>
/// <param name="WarmupSeconds">Untimed steps before the first pass, at least 20 of them.</param>
internal sealed record BenchTrainPlan(int Samples, int Passes, double WarmupSeconds)
{
    /// <summary>A message naming the bad option, or null when the plan is valid.</summary>
    public string? Problem() =>
        Samples < 1 ? $"--samples: expected at least 1, got {Samples}." :
        Passes < 1 ? $"--passes: expected at least 1, got {Passes}." :
        !(WarmupSeconds >= 0 && WarmupSeconds < 600) ? $"--warmup: expected seconds in [0, 600), got {WarmupSeconds}." : null;

    /// <summary>Timed steps per pass at <paramref name="batchSize"/>.</summary>
    public int Steps(int batchSize) => Math.Max(10, (Samples + batchSize - 1) / batchSize);
}

/// <summary>Throughput of one phase (training or inference): median and best pass, samples per process CPU-second.</summary>
/// <param name="Median">Median pass, samples per wall second.</param>
/// <param name="Best">Fastest pass, samples per wall second.</param>
/// <param name="PerCpuSecond">All passes' samples over the process CPU time they took (every thread, GEMM workers included).</param>
/// <param name="MsPerStep">Median pass, wall milliseconds per step.</param>
/// <param name="PerMainThreadCpuSecond">All passes' samples over the CPU time of the thread that ran the steps (the
/// critical path: with towers and optimizer halves on the GEMM worker, this is what a quiet 2-core machine would
/// give if the worker never made the step wait); null where the OS does not report per-thread CPU time.</param>
internal sealed record PhaseFigures(double Median, double Best, double PerCpuSecond, double MsPerStep, double? PerMainThreadCpuSecond);

/// <summary>Runs one (model, batch) case of `cascade bench train`.</summary>
internal static class BenchTrainMeasure
{
    /// <summary>Warm-up, then <see cref="BenchTrainPlan.Passes"/> timed training passes, then the same for inference.</summary>
    public static (PhaseFigures Train, PhaseFigures Infer) Run(ExperimentData data, ExperimentConfig config, int batchSize, BenchTrainPlan plan)
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
        int steps = plan.Steps(batchSize);

        model.Train();
        var train = Phase(plan, steps, batchSize, () => trainer.TrainStep(Next()));
        // Inference: eval-mode forward without gradients on the same batches (the arena recycles buffers).
        model.Eval();
        var arena = new TensorArena();
        var infer = Phase(plan, steps, batchSize, () =>
        {
            using (arena.Activate()) model.Predict(ModelInput.FromBatch(Next(), data.Layout));
        });
        return (train, infer);
    }

    private static PhaseFigures Phase(BenchTrainPlan plan, int steps, int batchSize, Action step)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 20 || warm.Elapsed.TotalSeconds < plan.WarmupSeconds; i++) step();
        var seconds = new double[plan.Passes];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        double? thread0 = ThreadCpuSeconds();
        for (int p = 0; p < plan.Passes; p++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step();
            seconds[p] = sw.Elapsed.TotalSeconds;
        }
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        double? threadCpu = ThreadCpuSeconds() - thread0;
        Array.Sort(seconds);
        double median = seconds.Length % 2 == 1 ? seconds[seconds.Length / 2] : 0.5 * (seconds[seconds.Length / 2 - 1] + seconds[seconds.Length / 2]);
        double samples = (double)steps * batchSize;
        return new PhaseFigures(samples / median, samples / seconds[0], samples * plan.Passes / Math.Max(cpu, 1e-9), 1000 * median / steps,
            threadCpu is { } t ? samples * plan.Passes / Math.Max(t, 1e-9) : null);
    }

    /// <summary>
    /// CPU seconds the calling thread has run, from Linux's /proc/thread-self/schedstat (first field: nanoseconds on
    /// a CPU); null elsewhere. Read only between passes, never inside the timed steps.
    /// </summary>
    private static double? ThreadCpuSeconds()
    {
        const string path = "/proc/thread-self/schedstat";
        if (!OperatingSystem.IsLinux() || !File.Exists(path)) return null;
        var text = File.ReadAllText(path);
        int space = text.IndexOf(' ');
        return long.TryParse(space > 0 ? text[..space] : text, System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out long ns) ? ns * 1e-9 : null;
    }
}
