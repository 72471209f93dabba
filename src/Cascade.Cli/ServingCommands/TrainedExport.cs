using Cascade.Features.Encoders;
using Cascade.Serving.Bundles;
using Cascade.Training.Config;
using Cascade.Training.Data;

namespace Cascade.Cli.ServingCommands;

/// <summary>
/// `cascade export --model STAGE[:NAME]=CONFIG[@CHECKPOINT]`: a bundle source from models trained by `cascade train`.
/// Each config's dataset is prepared once (as the trainer did: the encoder is fitted on the same rows with the same seed,
/// so its vocabularies match the weights), every stage must share that encoder, and the weights are loaded by
/// <see cref="TrainedCheckpoints"/>.
/// </summary>
internal static class TrainedExport
{
    /// <summary>One parsed --model value.</summary>
    internal sealed record Spec(string Stage, string? Name, string Config, string? Checkpoint);

    /// <summary>Parses STAGE[:NAME]=CONFIG[@CHECKPOINT]; errors name the value and the expected shape.</summary>
    internal static Spec Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1) throw new ArgumentException($"--model '{text}': expected STAGE[:NAME]=TRAIN_CONFIG.yaml[@CHECKPOINT], e.g. prerank=configs/experiments/sim-hit.yaml.");
        string left = text[..eq], right = text[(eq + 1)..];
        int colon = left.IndexOf(':');
        string stage = colon < 0 ? left : left[..colon];
        string? name = colon < 0 ? null : left[(colon + 1)..];
        if (!Bundle.Stages.Contains(stage)) throw new ArgumentException($"--model '{text}': unknown stage '{stage}' (stages: {string.Join(", ", Bundle.Stages)}).");
        int at = right.LastIndexOf('@');
        return at < 0 ? new Spec(stage, name, right, null) : new Spec(stage, name, right[..at], right[(at + 1)..]);
    }

    /// <summary>Loads every model of <paramref name="specs"/> over one shared encoder; the ads are <paramref name="ads"/>.</summary>
    public static BundleSource Source(IReadOnlyList<string> specs, IReadOnlyList<AdSpec> ads, TextWriter log)
    {
        var parsed = specs.Select(Parse).ToList();
        foreach (var stage in Bundle.Stages)
            if (!parsed.Any(p => p.Stage == stage)) throw new ArgumentException($"--model: no '{stage}' model; give one --model for each of {string.Join(", ", Bundle.Stages)}.");
        SchemaEncoder? encoder = null;
        string? encoderJson = null, encoderFrom = null;
        var datasets = new Dictionary<DatasetConfig, SchemaEncoder>();
        var models = new List<(string Stage, TrainedStage Model)>();
        foreach (var p in parsed)
        {
            var config = ConfigLoader.LoadFile(p.Config);
            var d = config.Dataset;
            var key = d with { Path = config.Resolve(d.Path), Schema = config.Resolve(d.Schema), Cache = config.Resolve(d.Cache) };
            if (!datasets.TryGetValue(key, out var enc))
            {
                log.WriteLine($"  preparing the data of {p.Config} (the encoder the model was trained with)");
                enc = ExperimentData.Load(config, m => log.WriteLine("  " + m)).Encoder;
                datasets[key] = enc;
                var json = enc.ToJson();
                if (encoderJson is null) { encoder = enc; encoderJson = json; encoderFrom = p.Config; }
                else if (json != encoderJson)
                    throw new ArgumentException($"--model {p.Stage}={p.Config}: its data gives another encoder (vocabularies) than {encoderFrom}; every stage of a bundle must be trained on the same prepared data.");
            }
            string checkpoint = p.Checkpoint ?? DefaultCheckpoint(config, p.Config);
            var stage = TrainedCheckpoints.Load(p.Stage, config.ModelSettings(), encoder!, checkpoint, p.Name);
            log.WriteLine($"  {p.Stage,-9} {stage.SelectName,-12} ← {TrainedCheckpoints.ResolveDirectory(checkpoint)}");
            models.Add((p.Stage, stage));
        }
        TrainedStage First(string stage) => models.First(m => m.Stage == stage).Model;
        var primary = Bundle.Stages.Select(First).ToHashSet();
        return new BundleSource(encoder!, First("retrieval"), First("prerank"), First("rank"), ads)
        {
            Alternatives = models.Where(m => !primary.Contains(m.Model)).Select(m => new StageAlternative(m.Stage, m.Model)).ToArray(),
        };
    }

    // training.output_dir/model (the selected weights) when present, else training.checkpoint_dir (its best epoch).
    private static string DefaultCheckpoint(ExperimentConfig config, string file)
    {
        if (config.Resolve(config.Training.OutputDir) is { Length: > 0 } output && Directory.Exists(Path.Combine(output, "model")))
            return Path.Combine(output, "model");
        if (config.Resolve(config.Training.CheckpointDir) is { Length: > 0 } checkpoints) return checkpoints;
        throw new ArgumentException($"--model ...={file}: the config sets neither training.output_dir (with a model folder) nor training.checkpoint_dir; append @CHECKPOINT_DIR.");
    }
}
