using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Nn.Checkpoints;
using Cascade.Training.Config;

namespace Cascade.Training.Reports;

/// <summary>
/// The final report of a training run, written as report.md (tables), report.json (everything, machine-readable)
/// and curves.svg (training loss and validation AUC per epoch). Files are written atomically.
/// </summary>
public static class TrainingReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The JSON document of a run.</summary>
    public sealed record Document(string Experiment, string Model, string Data, ExperimentConfig Config, TrainingResult Result, EvaluationResult? Test);

    /// <summary>Writes the three files into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, ExperimentConfig config, string dataDescription, TrainingResult result, EvaluationResult? test)
    {
        Directory.CreateDirectory(directory);
        var doc = new Document(config.Name, config.Model.Name, dataDescription, config with { File = config.File is null ? null : Path.GetFileName(config.File) }, result, test);
        string md = Path.Combine(directory, "report.md"), js = Path.Combine(directory, "report.json");
        string auc = Path.Combine(directory, "curves-auc.svg"), loss = Path.Combine(directory, "curves-loss.svg");
        WriteText(md, Markdown(doc));
        WriteText(js, JsonSerializer.Serialize(doc, Json));
        WriteText(auc, AucCurve(result));
        WriteText(loss, LossCurve(result));
        return [md, js, auc, loss];
    }

    /// <summary>Reads a report.json back.</summary>
    public static Document Read(string path) =>
        JsonSerializer.Deserialize<Document>(File.ReadAllBytes(path), Json) ?? throw new InvalidDataException($"{path}: empty report.");

    /// <summary>The Markdown text of a report.</summary>
    public static string Markdown(Document d)
    {
        var inv = CultureInfo.InvariantCulture;
        var r = d.Result;
        var sb = new StringBuilder();
        sb.AppendLine($"# {d.Experiment}: {d.Model}").AppendLine();
        sb.AppendLine($"- data: {d.Data}");
        sb.AppendLine($"- optimizer: {d.Config.Optimizer.Name} lr={d.Config.Optimizer.LearningRate.ToString("G6", inv)} weight_decay={d.Config.Optimizer.WeightDecay.ToString("G6", inv)} l2_embedding={d.Config.Optimizer.L2Embedding.ToString("G6", inv)}");
        sb.AppendLine($"- training: batch {d.Config.Training.BatchSize}, loss reduction {d.Config.Training.LossReduction}, seed {d.Config.Training.Seed}, early stopping on validation {d.Config.Training.EarlyStoppingMetric} with patience {d.Config.Training.Patience}");
        sb.AppendLine($"- parameters: {r.Parameters:N0}; best epoch {r.BestEpoch + 1} of {r.Epochs.Count}{(r.StoppedEarly ? " (stopped early)" : "")}; training time {r.TrainSeconds:F1} s");
        if (d.Test is { } t)
            sb.AppendLine().AppendLine("| split | rows | AUC | logloss | GAUC | accuracy | calibration |").AppendLine("|---|---:|---:|---:|---:|---:|---:|")
              .AppendLine(string.Create(inv, $"| test | {t.Rows} | {t.Auc:F4} | {t.LogLoss:F4} | {t.Gauc:F4} | {t.Accuracy:F4} | {t.Calibration:F3} |"));
        sb.AppendLine().AppendLine("| epoch | train loss | val AUC | val logloss | val GAUC | seconds | samples/s |").AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var e in r.Epochs)
            sb.AppendLine(string.Create(inv, $"| {e.Epoch + 1}{(e.Epoch == r.BestEpoch ? " (best)" : "")} | {e.TrainLoss:F5} | {e.Validation.Auc:F4} | {e.Validation.LogLoss:F4} | {e.Validation.Gauc:F4} | {e.TrainSeconds:F1} | {e.SamplesPerSecond:F0} |"));
        sb.AppendLine().AppendLine("![validation AUC](curves-auc.svg) ![loss](curves-loss.svg)");
        return sb.ToString();
    }

    /// <summary>Validation AUC and GAUC per epoch as SVG.</summary>
    public static string AucCurve(TrainingResult r)
    {
        var x = r.Epochs.Select(e => (double)(e.Epoch + 1)).ToList();
        return SvgLinePlot.Render("Validation AUC per epoch", "epoch", "AUC",
            [new PlotSeries("validation AUC", x, r.Epochs.Select(e => e.Validation.Auc).ToList()),
             new PlotSeries("validation GAUC", x, r.Epochs.Select(e => e.Validation.Gauc).ToList())]);
    }

    /// <summary>Mean training loss per row and validation log loss per epoch as SVG.</summary>
    public static string LossCurve(TrainingResult r)
    {
        var x = r.Epochs.Select(e => (double)(e.Epoch + 1)).ToList();
        return SvgLinePlot.Render("Loss per epoch", "epoch", "loss per row",
            [new PlotSeries("training loss", x, r.Epochs.Select(e => e.TrainLoss).ToList()),
             new PlotSeries("validation logloss", x, r.Epochs.Select(e => e.Validation.LogLoss).ToList())]);
    }

    private static void WriteText(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AtomicFile.Write(path, w => w.Write(bytes));
    }
}
