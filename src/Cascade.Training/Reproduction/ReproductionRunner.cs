using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Nn.Checkpoints;
using Cascade.Training.Config;
using Cascade.Training.Data;
using Cascade.Training.Metrics;

namespace Cascade.Training.Reproduction;

/// <summary>One row of a reproduced table: a model with parameters, and the paper's figure when it has one.</summary>
/// <param name="Label">Row label ("DSSM", "HIT w/o generator", "J = 3").</param>
/// <param name="Model">Registered model name.</param>
/// <param name="Parameters">Model parameters.</param>
/// <param name="PaperAuc">The paper's AUC for this row, or null.</param>
public sealed record ReproductionVariant(string Label, string Model, IReadOnlyDictionary<string, string> Parameters, double? PaperAuc);

/// <summary>Settings of a reproduction run.</summary>
/// <param name="DataDir">MovieLens-1M folder.</param>
/// <param name="Protocol">inttower or clean.</param>
/// <param name="Validation">tail or random.</param>
/// <param name="Repeats">Training seeds per row: 1023, 1024, … (the data split keeps seed 1023).</param>
/// <param name="EpochsMax">Epoch limit (early stopping with patience 3 usually ends sooner).</param>
/// <param name="BatchSize">Training batch size (IntTower scripts: 2048).</param>
/// <param name="ResultsDir">Folder of per-run JSON results; finished runs found there are reused, so a killed reproduction continues.</param>
/// <param name="Cache">Prepared-data cache folder, or null.</param>
public sealed record ReproductionOptions(string DataDir, string Protocol = "inttower", string Validation = "tail", int Repeats = 1, int EpochsMax = 20,
    int BatchSize = 2048, string? ResultsDir = null, string? Cache = null);

/// <summary>Result of one (row, seed) run.</summary>
/// <param name="Label">Row label.</param>
/// <param name="Model">Model name.</param>
/// <param name="Seed">Training seed.</param>
/// <param name="Parameters">Trainable scalars.</param>
/// <param name="TestAuc">Test AUC at the best validation epoch.</param>
/// <param name="TestLogLoss">Test log loss.</param>
/// <param name="ValidationAuc">Best validation AUC.</param>
/// <param name="BestEpoch">1-based best epoch.</param>
/// <param name="EpochsRun">Epochs trained.</param>
/// <param name="TrainSeconds">Seconds of training steps.</param>
/// <param name="SamplesPerSecond">Mean training throughput.</param>
public sealed record RunRecord(string Label, string Model, ulong Seed, long Parameters, double TestAuc, double TestLogLoss, double ValidationAuc,
    int BestEpoch, int EpochsRun, double TrainSeconds, double SamplesPerSecond);

/// <summary>A row of the table: mean ± std over seeds.</summary>
/// <param name="Label">Row label.</param>
/// <param name="Model">Model name.</param>
/// <param name="Parameters">Trainable scalars.</param>
/// <param name="Runs">Seeds run.</param>
/// <param name="AucMean">Mean test AUC.</param>
/// <param name="AucStd">Sample standard deviation of the test AUC (0 for one run).</param>
/// <param name="LogLossMean">Mean test log loss.</param>
/// <param name="RelaImpr">RelaImpr (percent) of the mean AUC over the base row's, or null.</param>
/// <param name="EpochsMean">Mean best epoch.</param>
/// <param name="EpochsRunMean">Mean epochs trained.</param>
/// <param name="TrainSecondsMean">Mean training seconds.</param>
/// <param name="PaperAuc">The paper's figure.</param>
public sealed record VariantSummary(string Label, string Model, long Parameters, int Runs, double AucMean, double AucStd, double LogLossMean, double? RelaImpr,
    double EpochsMean, double EpochsRunMean, double TrainSecondsMean, double? PaperAuc);

/// <summary>
/// Trains table rows with the IntTower script settings — embedding dim 32 initialised N(0, 1e-4), Adam lr 1e-3,
/// BCE summed per batch + 1e-5·Σ‖e‖² on the batch's embedding rows, early stopping with patience 3 on validation
/// AUC and the best epoch restored, training seed 1023 + repeat — and summarises test AUC per row. Test rows are
/// only evaluated, never used to choose anything.
/// </summary>
public static class ReproductionRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The config of one run.</summary>
    public static ExperimentConfig ConfigFor(ReproductionVariant v, ReproductionOptions o, int repeat) => new(
        $"{Slug(v.Label)}-seed{1023 + repeat}",
        new DatasetConfig("movielens", o.DataDir, o.Protocol, o.Validation, 0.2, 0.2, 1023, null, o.Cache),
        new ModelConfig(v.Model, 32, 1e-4f, v.Parameters),
        new OptimizerConfig("adam", 1e-3f, 0f, 1e-5f),
        new TrainingConfig(o.EpochsMax, o.BatchSize, 8192, "sum", "auc", 3, true, (ulong)(1023 + repeat)));

    /// <summary>Runs every (row, seed) not yet in the results folder and returns all records in row order.</summary>
    /// <param name="variants">Rows to run.</param>
    /// <param name="o">Settings.</param>
    /// <param name="observer">Progress receiver.</param>
    /// <param name="progress">Called with all records so far after each finished run (so partial tables survive a kill).</param>
    public static IReadOnlyList<RunRecord> Run(IReadOnlyList<ReproductionVariant> variants, ReproductionOptions o, ITrainingObserver? observer = null,
        Action<IReadOnlyList<RunRecord>>? progress = null)
    {
        ExperimentData? data = null;
        var records = new List<RunRecord>();
        foreach (var v in variants)
        {
            for (int rep = 0; rep < o.Repeats; rep++)
            {
                var config = ConfigFor(v, o, rep);
                string? file = ResultFile(o, config);
                if (TryRead(file) is { } cached)
                {
                    records.Add(cached);
                    observer?.Message($"{v.Label} seed {config.Training.Seed}: reused {file}");
                    continue;
                }
                data ??= ExperimentData.Load(config, s => observer?.Message(s));
                observer?.Message($"{v.Label} seed {config.Training.Seed}: training {v.Model} ({string.Join(", ", v.Parameters.Select(kv => $"{kv.Key}={kv.Value}"))})");
                var outcome = ExperimentRunner.Run(config, data, observer);
                var t = outcome.Training;
                var record = new RunRecord(v.Label, v.Model, config.Training.Seed, t.Parameters, outcome.Test.Auc, outcome.Test.LogLoss, t.BestMetric,
                    t.BestEpoch + 1, t.Epochs.Count, t.TrainSeconds, t.Epochs.Count == 0 ? 0 : t.Epochs.Average(e => e.SamplesPerSecond));
                observer?.Message($"{v.Label} seed {config.Training.Seed}: test AUC {record.TestAuc:F4}, logloss {record.TestLogLoss:F4}, best epoch {record.BestEpoch}/{record.EpochsRun}, {record.TrainSeconds:F0} s");
                if (file is not null)
                {
                    Directory.CreateDirectory(o.ResultsDir!);
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(record, Json);
                    AtomicFile.Write(file, w => w.Write(bytes));
                }
                records.Add(record);
                progress?.Invoke(records);
            }
        }
        return records;
    }

    /// <summary>
    /// Every finished (row, seed) result in the results folder, including those written by other processes running
    /// other rows of the same table at the same time.
    /// </summary>
    public static IReadOnlyList<RunRecord> Finished(IReadOnlyList<ReproductionVariant> variants, ReproductionOptions o)
    {
        var list = new List<RunRecord>();
        foreach (var v in variants)
            for (int rep = 0; rep < o.Repeats; rep++)
                if (TryRead(ResultFile(o, ConfigFor(v, o, rep))) is { } r) list.Add(r);
        return list;
    }

    private static string? ResultFile(ReproductionOptions o, ExperimentConfig config) =>
        o.ResultsDir is null ? null : Path.Combine(o.ResultsDir, $"{o.Protocol}-{o.Validation}-b{o.BatchSize}-e{o.EpochsMax}-{config.Name}.json");

    private static RunRecord? TryRead(string? file) =>
        file is not null && File.Exists(file) ? JsonSerializer.Deserialize<RunRecord>(File.ReadAllBytes(file), Json) : null;

    /// <summary>Mean ± std per row; RelaImpr against the row labelled <paramref name="baseLabel"/>.</summary>
    public static IReadOnlyList<VariantSummary> Summarise(IReadOnlyList<ReproductionVariant> variants, IReadOnlyList<RunRecord> records, string? baseLabel)
    {
        var rows = new List<VariantSummary>();
        foreach (var v in variants)
        {
            var rs = records.Where(r => r.Label == v.Label).ToList();
            if (rs.Count == 0) continue;
            double mean = rs.Average(r => r.TestAuc);
            double std = rs.Count > 1 ? Math.Sqrt(rs.Sum(r => (r.TestAuc - mean) * (r.TestAuc - mean)) / (rs.Count - 1)) : 0;
            rows.Add(new VariantSummary(v.Label, v.Model, rs[0].Parameters, rs.Count, mean, std, rs.Average(r => r.TestLogLoss), null,
                rs.Average(r => r.BestEpoch), rs.Average(r => r.EpochsRun), rs.Average(r => r.TrainSeconds), v.PaperAuc));
        }
        var baseRow = rows.FirstOrDefault(r => r.Label == baseLabel);
        if (baseRow is null) return rows;
        return rows.Select(r => r with { RelaImpr = BinaryMetrics.RelaImpr(r.AucMean, baseRow.AucMean) }).ToList();
    }

    /// <summary>A file-name-safe form of a label.</summary>
    public static string Slug(string label) =>
        new string(label.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-').Replace("--", "-");
}
