using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Nn.Checkpoints;
using Cascade.Training;
using Cascade.Training.Config;

namespace Cascade.Cli.TrainingCommands;

/// <summary>`cascade train CONFIG [--set section.key=value]... [--json]`: runs one experiment config end to end.</summary>
public static class TrainCommand
{
    /// <summary>Creates the `train` command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("config") { Description = "Experiment YAML (see `cascade config show`)." };
        var set = new Option<string[]>("--set") { Description = "Override a setting: --set training.epochs=3 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object with the results on stdout." };
        var cmd = new Command("train", "Train a model from an experiment config: progress on stderr, per-epoch logs, early stopping, resumable checkpoints, report files.")
        {
            file, set, json,
        };
        cmd.SetAction(parse =>
        {
            var config = LoadWithOverrides(parse.GetValue(file)!, parse.GetValue(set) ?? []);
            if (config is null) return 2;
            var observer = new ConsoleObserver();
            ExperimentOutcome outcome;
            try { outcome = observer.Run(() => ExperimentRunner.Run(config, observer)); }
            catch (Exception e) when (Expected(e))
            {
                Console.Error.WriteLine($"train: {e.Message}");
                return 1;
            }
            var t = outcome.Test;
            var r = outcome.Training;
            if (parse.GetValue(json))
            {
                var doc = new
                {
                    command = "train",
                    experiment = config.Name,
                    model = config.Model.Name,
                    data = outcome.DataDescription,
                    parameters = r.Parameters,
                    best_epoch = r.BestEpoch + 1,
                    epochs = r.Epochs.Count,
                    stopped_early = r.StoppedEarly,
                    train_seconds = r.TrainSeconds,
                    test = new { rows = t.Rows, auc = t.Auc, logloss = t.LogLoss, gauc = t.Gauc, accuracy = t.Accuracy, calibration = t.Calibration },
                    reports = outcome.ReportFiles,
                };
                Console.WriteLine(JsonSerializer.Serialize(doc));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{config.Model.Name}: test AUC {t.Auc:F4}, logloss {t.LogLoss:F4}, GAUC {t.Gauc:F4} (best epoch {r.BestEpoch + 1} of {r.Epochs.Count}{(r.StoppedEarly ? ", stopped early" : "")}; {r.Parameters:N0} parameters; {r.TrainSeconds:F1} s)"));
                foreach (var f in outcome.ReportFiles) Console.WriteLine($"wrote {f}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads a config and applies `section.key=value` overrides; prints the error and returns null on failure.</summary>
    public static ExperimentConfig? LoadWithOverrides(string path, IReadOnlyList<string> overrides)
    {
        try
        {
            var config = ConfigLoader.LoadFile(path);
            foreach (var o in overrides)
            {
                int eq = o.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"--set '{o}': expected section.key=value (e.g. training.epochs=3).");
                string key = o[..eq].Trim(), value = o[(eq + 1)..].Trim();
                if (key.StartsWith("model.parameters.", StringComparison.Ordinal))
                {
                    var ps = new Dictionary<string, string>(config.Model.Parameters ?? new Dictionary<string, string>()) { [key["model.parameters.".Length..]] = value };
                    config = config with { Model = config.Model with { Parameters = ps } };
                    continue;
                }
                var entry = ConfigKeys.All.FirstOrDefault(k => k.Path == key)
                    ?? throw new ArgumentException($"--set '{o}': unknown setting '{key}'; see `cascade config show` for the list.");
                try { config = entry.Set(config, value); }
                catch (FormatException e) { throw new ArgumentException($"--set '{o}': {e.Message}."); }
            }
            return config;
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }

    /// <summary>Errors that are the user's input (bad data, config, checkpoint), reported without a stack trace.</summary>
    public static bool Expected(Exception e) => e is ArgumentException or IOException or InvalidDataException or SchemaException
        or DataFormatException or CheckpointException or KeyNotFoundException or ConfigException;
}
