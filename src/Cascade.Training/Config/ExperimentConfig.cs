namespace Cascade.Training.Config;

/// <summary>Where the rows come from.</summary>
/// <param name="Source">"movielens" (a MovieLens-1M folder through the inttower/clean protocol) or "table" (any schema + data file through the features layer's table preparer).</param>
/// <param name="Path">MovieLens folder, or the data file of a table dataset (relative paths resolve against the config file's folder).</param>
/// <param name="Protocol">MovieLens protocol: inttower (the IntTower scripts, quirks included) or clean (leak-free).</param>
/// <param name="Validation">How validation rows are taken from the training split: tail (IntTower) or random.</param>
/// <param name="ValidationFraction">Validation fraction of the training split.</param>
/// <param name="TestFraction">Test fraction of all rows.</param>
/// <param name="Seed">Split seed.</param>
/// <param name="Schema">Schema YAML for a table dataset (e.g. configs/schemas/amazon-electronics.yaml).</param>
/// <param name="Cache">Folder for the prepared-data cache of MovieLens (empty: no cache).</param>
public sealed record DatasetConfig(string Source = "movielens", string? Path = null, string Protocol = "inttower", string Validation = "tail",
    double ValidationFraction = 0.2, double TestFraction = 0.2, ulong Seed = 1023, string? Schema = null, string? Cache = null);

/// <summary>Which model and its settings (→ <see cref="Cascade.Models.ModelSettings"/>).</summary>
/// <param name="Name">Registered model name (see <see cref="Cascade.Models.ModelZoo"/>).</param>
/// <param name="EmbeddingDim">Embedding dimension of every table (IntTower: 32).</param>
/// <param name="EmbeddingInitStd">σ of the N(0, σ²) embedding initialisation (IntTower: 1e-4).</param>
/// <param name="Parameters">Model-specific parameters by name (strings, parsed by the model).</param>
public sealed record ModelConfig(string Name = "dssm", int EmbeddingDim = 32, float EmbeddingInitStd = 1e-4f, IReadOnlyDictionary<string, string>? Parameters = null);

/// <summary>The optimizer and the regularisation.</summary>
/// <param name="Name">adam, adamw, adagrad, sgd or ftrl.</param>
/// <param name="LearningRate">Base learning rate (FTRL: α).</param>
/// <param name="WeightDecay">Group weight decay of the non-embedding parameters (coupled L2 for adam/sgd/adagrad, decoupled for adamw; not used by ftrl).</param>
/// <param name="L2Embedding">λ of the L2 penalty λ·Σ‖e‖² over the embedding rows used in the batch (IntTower: 1e-5).</param>
/// <param name="Momentum">SGD momentum.</param>
/// <param name="FtrlBeta">FTRL β.</param>
/// <param name="FtrlL1">FTRL L1.</param>
/// <param name="FtrlL2">FTRL L2.</param>
public sealed record OptimizerConfig(string Name = "adam", float LearningRate = 1e-3f, float WeightDecay = 0f, float L2Embedding = 1e-5f,
    float Momentum = 0f, float FtrlBeta = 1f, float FtrlL1 = 0f, float FtrlL2 = 0f);

/// <summary>The training loop.</summary>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="EvalBatchSize">Batch size of validation and test passes.</param>
/// <param name="LossReduction">sum (IntTower: BCE summed over the batch) or mean.</param>
/// <param name="EarlyStoppingMetric">Validation metric that selects the best epoch: auc (higher is better) or logloss (lower is better).</param>
/// <param name="Patience">Epochs without improvement before stopping (0 disables early stopping).</param>
/// <param name="RestoreBest">Restore the best epoch's weights at the end.</param>
/// <param name="Seed">Seed of model initialisation, batch order and dropout.</param>
/// <param name="CheckpointDir">Folder of the resumable checkpoint (empty: none).</param>
/// <param name="OutputDir">Folder of the report files (empty: none).</param>
public sealed record TrainingConfig(int Epochs = 20, int BatchSize = 2048, int EvalBatchSize = 8192, string LossReduction = "sum",
    string EarlyStoppingMetric = "auc", int Patience = 3, bool RestoreBest = true, ulong Seed = 1023, string? CheckpointDir = null, string? OutputDir = null);

/// <summary>One experiment: dataset + model + optimizer + training, as read from one YAML file.</summary>
/// <param name="Name">Experiment name (reports and checkpoints).</param>
/// <param name="Dataset">Dataset section.</param>
/// <param name="Model">Model section.</param>
/// <param name="Optimizer">Optimizer section.</param>
/// <param name="Training">Training section.</param>
/// <param name="File">The file it came from, when any.</param>
public sealed record ExperimentConfig(string Name, DatasetConfig Dataset, ModelConfig Model, OptimizerConfig Optimizer, TrainingConfig Training, string? File = null)
{
    /// <summary>Every setting at its default.</summary>
    public static ExperimentConfig Default { get; } = new("experiment", new DatasetConfig(), new ModelConfig(), new OptimizerConfig(), new TrainingConfig());

    /// <summary>The model settings these sections imply.</summary>
    public Cascade.Models.ModelSettings ModelSettings() =>
        new(Model.Name, Model.Parameters, Training.Seed, Model.EmbeddingDim, Model.EmbeddingInitStd);

    /// <summary>Resolves a path of the config relative to the config file's folder (absolute paths and no file: unchanged).</summary>
    public string? Resolve(string? path)
    {
        if (string.IsNullOrEmpty(path) || System.IO.Path.IsPathRooted(path) || File is null) return path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(File)) ?? ".";
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, path));
    }
}
