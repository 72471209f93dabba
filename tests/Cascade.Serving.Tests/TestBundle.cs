using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Models;
using Cascade.Serving.Bundles;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>
/// A small marketplace for serving tests: 40 users, 300 ads, a DSSM retrieval model, a DSSM pre-ranker (other seed)
/// and a DeepFM ranker with tiny towers (weights at their seeded initialisation: the tests check plumbing,
/// consistency and validation, not accuracy). The bundle is exported once per test run and copied per test.
/// </summary>
public static class TestBundle
{
    public const string Schema = """
        dataset:
          name: serving-test
          label: label
          features:
            - {name: user_id, kind: sparse, side: user, lifetime: static, embedding_dim: 8}
            - {name: age, kind: sparse, side: user, lifetime: static, embedding_dim: 8}
            - {name: item_id, kind: sparse, side: item, lifetime: static, embedding_dim: 8}
            - {name: category, kind: sparse, side: item, lifetime: static, embedding_dim: 8}
            - {name: genres, kind: multi_hot, side: item, lifetime: static, max_length: 3, pooling: mean, embedding_dim: 8}
            - {name: price, kind: dense, side: item, lifetime: dynamic, transform: min_max}
            - {name: hour, kind: sparse, side: context, lifetime: dynamic, embedding_dim: 8}
        """;

    public const int Ads = 300;

    private static readonly Lazy<string> Master = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, "master");
        Bundle.Export(CreateSource(), dir, overwrite: true);
        return dir;
    });

    public static ServingOptions Options => new() { RetrievalK = 64, PrerankN = 24, RankM = 8, DefaultCount = 5, MaxCount = 20, MaxBodyBytes = 4096, DeadlineMs = 5000, WarmupSeconds = 0 };

    /// <summary>A fresh copy of the exported bundle in its own temporary directory.</summary>
    public static string Copy()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, Guid.NewGuid().ToString("N"));
        CopyDirectory(Master.Value, Path.Combine(dir, "bundle"));
        return Path.Combine(dir, "bundle");
    }

    public static Dictionary<string, object?> AdFeatures(int i) => new()
    {
        ["item_id"] = $"i{i}", ["category"] = $"c{i % 7}", ["genres"] = new[] { $"g{i % 5}", $"g{i * 7 % 6}" }, ["price"] = (double)(i % 50 + 1),
    };

    public static Dictionary<string, object?> User(int u) => new() { ["user_id"] = $"u{u}", ["age"] = $"a{u % 8}", ["hour"] = $"h{u % 24}" };

    public static BundleSource CreateSource()
    {
        var schema = SchemaLoader.Load(Schema);
        var fitter = new SchemaEncoderFitter(schema);
        var raw = new RawRow(schema);
        for (int r = 0; r < 2000; r++)
        {
            raw.Clear();
            foreach (var (k, v) in User(r % 40)) raw.Set(k, v);
            foreach (var (k, v) in AdFeatures(r % Ads)) raw.Set(k, v);
            raw.Label = r % 3 == 0 ? 1 : 0;
            fitter.Observe(raw);
        }
        var encoder = fitter.Build();
        TrainedStage Stage(string model, ulong seed, Dictionary<string, string> p)
        {
            var settings = new ModelSettings(model, p, seed, embeddingDim: 8, embeddingInitStd: 0.1f);
            return new TrainedStage(settings, ModelZoo.Create(encoder.Layout, settings));
        }
        var towers = new Dictionary<string, string> { ["tower"] = "16,8", ["batch_norm"] = "false" };
        var ads = Enumerable.Range(0, Ads).Select(i => new AdSpec(i + 1, 0.5 + i % 10 * 0.1, 100, Paused: i % 50 == 49, AdFeatures(i), Version: 1)).ToList();
        return new BundleSource(encoder, Stage("dssm", 11, towers), Stage("dssm", 12, new(towers)),
            Stage("deepfm", 13, new() { ["hidden_units"] = "16,8", ["dropout"] = "0" }), ads);
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
