using Cascade.Models;
using Cascade.Training.Config;
using Cascade.Training.Data;
using Cascade.Training.Reports;

namespace Cascade.Training;

/// <summary>Everything one experiment produced.</summary>
/// <param name="Config">The config run.</param>
/// <param name="DataDescription">Protocol, split and validation of the data.</param>
/// <param name="Training">Epoch logs and the selected epoch.</param>
/// <param name="Test">Test metrics of the selected epoch's weights.</param>
/// <param name="Model">The trained model (best epoch restored when configured).</param>
/// <param name="ReportFiles">Report files written, if an output folder was set.</param>
public sealed record ExperimentOutcome(ExperimentConfig Config, string DataDescription, TrainingResult Training, EvaluationResult Test, CtrModel Model, IReadOnlyList<string> ReportFiles);

/// <summary>Runs a config end to end: data → model from the zoo → trainer → test evaluation → report.</summary>
public static class ExperimentRunner
{
    /// <summary>Loads the data and runs the experiment.</summary>
    public static ExperimentOutcome Run(ExperimentConfig config, ITrainingObserver? observer = null) =>
        Run(config, ExperimentData.Load(config, s => observer?.Message(s)), observer);

    /// <summary>Runs the experiment on already prepared data (the reproduction runs share one preparation).</summary>
    public static ExperimentOutcome Run(ExperimentConfig config, ExperimentData data, ITrainingObserver? observer = null)
    {
        var model = ModelZoo.Create(data.Layout, config.ModelSettings());
        observer?.Message($"model {model.Name}: {model.ParameterCount:N0} parameters; train {data.Train.Count:N0} rows, validation {data.Validation.Count:N0}, test {data.Test.Count:N0}");
        var trainer = new Trainer(model, data.Layout, config.Training with
        {
            CheckpointDir = config.Resolve(config.Training.CheckpointDir),
        }, config.Optimizer) { Observer = observer };
        var result = trainer.Fit(data.Train, data.Validation);
        // The test split is evaluated once, after the epoch was chosen on validation rows: it never steers training.
        var test = Evaluator.Evaluate(model, data.Test, data.Layout, config.Training.EvalBatchSize);
        IReadOnlyList<string> files = [];
        if (config.Resolve(config.Training.OutputDir) is { Length: > 0 } output)
        {
            // The selected weights beside the report, for `cascade evaluate`.
            Cascade.Nn.Checkpoints.Checkpoint.Save(Path.Combine(output, "model"), model.Name, model,
                metadata: new Dictionary<string, string> { ["experiment"] = config.Name, ["best_epoch"] = (result.BestEpoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            files = [.. TrainingReport.Write(output, config, data.Description, result, test), Path.Combine(output, "model")];
        }
        return new ExperimentOutcome(config, data.Description, result, test, model, files);
    }
}
