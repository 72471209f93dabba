using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cascade.Models;
using Cascade.Nn.Checkpoints;
using Cascade.Training;
using Cascade.Training.Data;

namespace Cascade.Cli.TrainingCommands;

/// <summary>`cascade evaluate CONFIG --checkpoint DIR [--split test|validation] [--json]`: metrics of saved weights.</summary>
public static class EvaluateCommand
{
    /// <summary>Creates the `evaluate` command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("config") { Description = "The experiment YAML the weights were trained with (rebuilds the data and the model)." };
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint folder (with manifest.json), e.g. OUTPUT_DIR/model or CHECKPOINT_DIR/epoch-0003.", Required = true };
        var split = new Option<string>("--split") { Description = "test or validation.", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." };
        var cmd = new Command("evaluate", "Evaluate saved weights on the test or validation split: AUC, logloss, GAUC, accuracy, calibration.")
        {
            file, checkpoint, split, json,
        };
        cmd.SetAction(parse =>
        {
            var config = TrainCommand.LoadWithOverrides(parse.GetValue(file)!, []);
            if (config is null) return 2;
            string which = parse.GetValue(split)!;
            if (which is not ("test" or "validation"))
            {
                Console.Error.WriteLine($"--split: expected test or validation, got '{which}'.");
                return 2;
            }
            var observer = new ConsoleObserver();
            try
            {
                var data = ExperimentData.Load(config, observer.Message);
                var model = ModelZoo.Create(data.Layout, config.ModelSettings());
                Checkpoint.Load(parse.GetValue(checkpoint)!, model);
                var rows = which == "test" ? data.Test : data.Validation;
                var r = Evaluator.Evaluate(model, rows, data.Layout, config.Training.EvalBatchSize);
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(new { command = "evaluate", model = config.Model.Name, split = which, data = data.Description, rows = r.Rows, auc = r.Auc, logloss = r.LogLoss, gauc = r.Gauc, accuracy = r.Accuracy, calibration = r.Calibration }));
                else
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{config.Model.Name} on {which} ({r.Rows:N0} rows): AUC {r.Auc:F4}, logloss {r.LogLoss:F4}, GAUC {r.Gauc:F4}, accuracy {r.Accuracy:F4}, calibration {r.Calibration:F3}"));
                return 0;
            }
            catch (Exception e) when (TrainCommand.Expected(e))
            {
                Console.Error.WriteLine($"evaluate: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
