using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Training.Config;

namespace Cascade.Training.Data;

/// <summary>The three splits of an experiment, the fitted encoder and a one-line description for reports.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows (early stopping; never the test rows).</param>
/// <param name="Test">Test rows (reported once, after training).</param>
/// <param name="Encoder">Fitted encoder; its layout builds the model.</param>
/// <param name="Description">Protocol, seed, split and validation mode.</param>
public sealed record ExperimentData(ColumnarDataset Train, ColumnarDataset Validation, ColumnarDataset Test, SchemaEncoder Encoder, string Description)
{
    /// <summary>The encoded layout.</summary>
    public FeatureLayout Layout => Encoder.Layout;

    /// <summary>Loads the dataset a config names (MovieLens through its protocol, or a schema + file through the table preparer).</summary>
    public static ExperimentData Load(ExperimentConfig config, Action<string>? log = null)
    {
        var d = config.Dataset;
        string path = config.Resolve(d.Path) ?? throw new ArgumentException($"{config.File ?? "config"}: dataset.path is not set (a MovieLens folder or a data file).");
        if (d.Source == "movielens")
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"dataset.path '{path}' is not a folder (expected MovieLens-1M with users.dat, movies.dat, ratings).");
            var options = new MovieLensOptions(path,
                d.Protocol == "clean" ? MovieLensProtocolKind.Clean : MovieLensProtocolKind.IntTower, d.Seed, d.TestFraction, d.ValidationFraction,
                d.Validation == "random" ? ValidationMode.Random : ValidationMode.Tail);
            string desc = MovieLensProtocol.Describe(options);
            string? cache = config.Resolve(d.Cache);
            PreparedData? p = null;
            if (!string.IsNullOrEmpty(cache))
            {
                p = PreparedDataCache.TryLoad(cache, desc);
                if (p is not null) log?.Invoke($"data: loaded the prepared splits from the cache {cache}");
            }
            if (p is null)
            {
                log?.Invoke($"data: preparing MovieLens ({desc})");
                p = MovieLensProtocol.Prepare(options);
                if (!string.IsNullOrEmpty(cache)) PreparedDataCache.Save(p, cache);
            }
            return new ExperimentData(p.Train, p.Validation, p.Test, p.Encoder, "movielens-1m " + p.Description);
        }
        string schemaPath = config.Resolve(d.Schema) ?? throw new ArgumentException($"{config.File ?? "config"}: dataset.schema is required when dataset.source is 'table'.");
        var schema = SchemaLoader.LoadFile(schemaPath);
        log?.Invoke($"data: reading {path} with the schema {schemaPath}");
        var table = TableReaders.Read(schema, path);
        var t = TablePreparer.Prepare(schema, table, d.Seed, d.TestFraction, d.ValidationFraction);
        return new ExperimentData(t.Train, t.Validation, t.Test, t.Encoder,
            $"{schema.Name} file={System.IO.Path.GetFileName(path)} seed={d.Seed} test={d.TestFraction} validation=random {d.ValidationFraction} (table preparer: encoders fitted on the training rows)");
    }
}
