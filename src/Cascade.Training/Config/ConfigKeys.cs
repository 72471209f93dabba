using System.Globalization;

namespace Cascade.Training.Config;

/// <summary>One setting of an experiment config: its YAML path, meaning, how to read it and how to show it.</summary>
/// <param name="Section">Top-level section (experiment, dataset, model, optimizer, training).</param>
/// <param name="Key">Key inside the section.</param>
/// <param name="Description">What it does.</param>
/// <param name="Get">Current value as text.</param>
/// <param name="Set">Returns the config with the value applied; throws <see cref="FormatException"/> with the expected form.</param>
public sealed record ConfigKey(string Section, string Key, string Description, Func<ExperimentConfig, string> Get, Func<ExperimentConfig, string, ExperimentConfig> Set)
{
    /// <summary>"section.key".</summary>
    public string Path => $"{Section}.{Key}";
}

/// <summary>The table of every config setting (drives the loader, the unknown-key errors and `cascade config show`).</summary>
public static class ConfigKeys
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Every setting in display order (model.parameters is a free mapping handled by the loader).</summary>
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        new("experiment", "name", "Experiment name used in reports and checkpoints.", c => c.Name, (c, v) => c with { Name = v }),
        new("dataset", "source", "movielens | table.", c => c.Dataset.Source, (c, v) => c with { Dataset = c.Dataset with { Source = OneOf(v, "movielens", "table") } }),
        new("dataset", "path", "MovieLens folder or the data file of a table dataset (relative to the config file).", c => c.Dataset.Path ?? "", (c, v) => c with { Dataset = c.Dataset with { Path = v } }),
        new("dataset", "protocol", "MovieLens protocol: inttower | clean.", c => c.Dataset.Protocol, (c, v) => c with { Dataset = c.Dataset with { Protocol = OneOf(v, "inttower", "clean") } }),
        new("dataset", "validation", "Validation rows: tail (IntTower) | random.", c => c.Dataset.Validation, (c, v) => c with { Dataset = c.Dataset with { Validation = OneOf(v, "tail", "random") } }),
        new("dataset", "validation_fraction", "Validation fraction of the training split.", c => F(c.Dataset.ValidationFraction), (c, v) => c with { Dataset = c.Dataset with { ValidationFraction = Fraction(v) } }),
        new("dataset", "test_fraction", "Test fraction of all rows.", c => F(c.Dataset.TestFraction), (c, v) => c with { Dataset = c.Dataset with { TestFraction = Fraction(v) } }),
        new("dataset", "seed", "Split seed.", c => c.Dataset.Seed.ToString(Inv), (c, v) => c with { Dataset = c.Dataset with { Seed = ULong(v) } }),
        new("dataset", "schema", "Schema YAML of a table dataset.", c => c.Dataset.Schema ?? "", (c, v) => c with { Dataset = c.Dataset with { Schema = v } }),
        new("dataset", "cache", "Prepared-data cache folder for MovieLens (empty: none).", c => c.Dataset.Cache ?? "", (c, v) => c with { Dataset = c.Dataset with { Cache = v } }),
        new("model", "name", "Registered model name.", c => c.Model.Name, (c, v) => c with { Model = c.Model with { Name = v } }),
        new("model", "embedding_dim", "Embedding dimension of every table.", c => c.Model.EmbeddingDim.ToString(Inv), (c, v) => c with { Model = c.Model with { EmbeddingDim = Positive(v) } }),
        new("model", "embedding_init_std", "σ of the N(0, σ²) embedding initialisation.", c => F(c.Model.EmbeddingInitStd), (c, v) => c with { Model = c.Model with { EmbeddingInitStd = NonNegative(v) } }),
        new("optimizer", "name", "adam | adamw | adagrad | sgd | ftrl.", c => c.Optimizer.Name, (c, v) => c with { Optimizer = c.Optimizer with { Name = OneOf(v, "adam", "adamw", "adagrad", "sgd", "ftrl") } }),
        new("optimizer", "lr", "Learning rate (FTRL: alpha).", c => F(c.Optimizer.LearningRate), (c, v) => c with { Optimizer = c.Optimizer with { LearningRate = NonNegative(v) } }),
        new("optimizer", "weight_decay", "Weight decay of non-embedding parameters (adamw: decoupled).", c => F(c.Optimizer.WeightDecay), (c, v) => c with { Optimizer = c.Optimizer with { WeightDecay = NonNegative(v) } }),
        new("optimizer", "l2_embedding", "λ of λ·Σ‖e‖² over the embedding rows used in each batch, added to the loss.", c => F(c.Optimizer.L2Embedding), (c, v) => c with { Optimizer = c.Optimizer with { L2Embedding = NonNegative(v) } }),
        new("optimizer", "momentum", "SGD momentum.", c => F(c.Optimizer.Momentum), (c, v) => c with { Optimizer = c.Optimizer with { Momentum = NonNegative(v) } }),
        new("optimizer", "ftrl_beta", "FTRL beta.", c => F(c.Optimizer.FtrlBeta), (c, v) => c with { Optimizer = c.Optimizer with { FtrlBeta = NonNegative(v) } }),
        new("optimizer", "ftrl_l1", "FTRL L1.", c => F(c.Optimizer.FtrlL1), (c, v) => c with { Optimizer = c.Optimizer with { FtrlL1 = NonNegative(v) } }),
        new("optimizer", "ftrl_l2", "FTRL L2.", c => F(c.Optimizer.FtrlL2), (c, v) => c with { Optimizer = c.Optimizer with { FtrlL2 = NonNegative(v) } }),
        new("training", "epochs", "Maximum epochs.", c => c.Training.Epochs.ToString(Inv), (c, v) => c with { Training = c.Training with { Epochs = Positive(v) } }),
        new("training", "batch_size", "Training batch size.", c => c.Training.BatchSize.ToString(Inv), (c, v) => c with { Training = c.Training with { BatchSize = Positive(v) } }),
        new("training", "eval_batch_size", "Batch size of evaluation passes.", c => c.Training.EvalBatchSize.ToString(Inv), (c, v) => c with { Training = c.Training with { EvalBatchSize = Positive(v) } }),
        new("training", "loss_reduction", "sum (IntTower) | mean.", c => c.Training.LossReduction, (c, v) => c with { Training = c.Training with { LossReduction = OneOf(v, "sum", "mean") } }),
        new("training", "early_stopping_metric", "Validation metric for early stopping: auc | logloss.", c => c.Training.EarlyStoppingMetric, (c, v) => c with { Training = c.Training with { EarlyStoppingMetric = OneOf(v, "auc", "logloss") } }),
        new("training", "patience", "Epochs without improvement before stopping (0: never stop early).", c => c.Training.Patience.ToString(Inv), (c, v) => c with { Training = c.Training with { Patience = NonNegativeInt(v) } }),
        new("training", "restore_best", "Restore the best validation epoch at the end.", c => c.Training.RestoreBest ? "true" : "false", (c, v) => c with { Training = c.Training with { RestoreBest = Bool(v) } }),
        new("training", "seed", "Seed of initialisation, batch order and dropout.", c => c.Training.Seed.ToString(Inv), (c, v) => c with { Training = c.Training with { Seed = ULong(v) } }),
        new("training", "checkpoint_dir", "Resumable checkpoint folder (empty: none).", c => c.Training.CheckpointDir ?? "", (c, v) => c with { Training = c.Training with { CheckpointDir = v } }),
        new("training", "output_dir", "Report folder: report.md, report.json, curves-auc.svg, curves-loss.svg, model/ (empty: none).", c => c.Training.OutputDir ?? "", (c, v) => c with { Training = c.Training with { OutputDir = v } }),
    ];

    /// <summary>Sections in order.</summary>
    public static IReadOnlyList<string> Sections { get; } = ["experiment", "dataset", "model", "optimizer", "training"];

    private static string F(double v) => v.ToString("G6", Inv);

    private static string OneOf(string v, params string[] allowed) =>
        Array.IndexOf(allowed, v) >= 0 ? v : throw new FormatException($"expected one of {string.Join(" | ", allowed)}, got '{v}'");

    private static double Fraction(string v)
    {
        double d = Number(v);
        return d is >= 0 and < 1 ? d : throw new FormatException($"expected a fraction in [0, 1), got '{v}'");
    }

    private static float NonNegative(string v)
    {
        double d = Number(v);
        return d >= 0 ? (float)d : throw new FormatException($"expected a number ≥ 0, got '{v}'");
    }

    private static double Number(string v) =>
        double.TryParse(v, NumberStyles.Float, Inv, out double d) && double.IsFinite(d) ? d : throw new FormatException($"expected a number, got '{v}'");

    private static int Positive(string v) =>
        int.TryParse(v, NumberStyles.Integer, Inv, out int i) && i > 0 ? i : throw new FormatException($"expected an integer ≥ 1, got '{v}'");

    private static int NonNegativeInt(string v) =>
        int.TryParse(v, NumberStyles.Integer, Inv, out int i) && i >= 0 ? i : throw new FormatException($"expected an integer ≥ 0, got '{v}'");

    private static ulong ULong(string v) =>
        ulong.TryParse(v, NumberStyles.Integer, Inv, out ulong u) ? u : throw new FormatException($"expected a non-negative integer, got '{v}'");

    private static bool Bool(string v) => v switch
    {
        "true" or "True" => true,
        "false" or "False" => false,
        _ => throw new FormatException($"expected true or false, got '{v}'"),
    };
}
