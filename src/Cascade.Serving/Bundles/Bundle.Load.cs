using System.Text.Json;
using Cascade.Features.Encoders;
using Cascade.Index;
using Cascade.Models;
using Cascade.Nn.Checkpoints;
using Cascade.Serving.Online;

namespace Cascade.Serving.Bundles;

/// <summary>One stage model of a loaded bundle with what it needs at serving time.</summary>
/// <param name="Entry">Its manifest entry (stage, name, settings, files).</param>
/// <param name="Model">The model in eval mode.</param>
/// <param name="Index">Retrieval: the HNSW index over its ad embeddings; else null.</param>
/// <param name="Representations">Pre-ranking: the cached ad representations, (A, …) flattened, row i = ad i; else null.</param>
public sealed record LoadedStageModel(StageModel Entry, CtrModel Model, HnswIndex? Index, float[]? Representations)
{
    /// <summary>Floats per cached ad representation (pre-ranking).</summary>
    public int RepresentationSize => Entry.AdRepresentationShape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// A bundle loaded and verified: the encoder, every stage model (eval mode), the ads and the indexes. The first model
/// of each stage is its primary one (<see cref="Retrieval"/>, <see cref="Prerank"/>, <see cref="Rank"/>); the serving
/// YAML may pick another with <see cref="Select"/>.
/// </summary>
public sealed class LoadedBundle
{
    internal LoadedBundle(string directory, BundleManifest manifest, SchemaEncoder encoder, IReadOnlyList<LoadedStageModel> models, IReadOnlyList<AdState> ads)
    {
        Directory = directory; Manifest = manifest; Encoder = encoder; Models = models; Ads = ads;
    }

    /// <summary>Bundle directory.</summary>
    public string Directory { get; }
    /// <summary>The verified manifest.</summary>
    public BundleManifest Manifest { get; }
    /// <summary>The training encoder.</summary>
    public SchemaEncoder Encoder { get; }
    /// <summary>Every stage model, in manifest order.</summary>
    public IReadOnlyList<LoadedStageModel> Models { get; }
    /// <summary>Primary retrieval model (two-tower; its ad embeddings are the HNSW vectors of <see cref="Index"/>).</summary>
    public CtrModel Retrieval => Select("retrieval", null, primary: true).Model;
    /// <summary>Primary pre-ranking model (two-tower; ad side cached per ad in <see cref="Ads"/>).</summary>
    public CtrModel Prerank => Select("prerank", null, primary: true).Model;
    /// <summary>Primary ranking pCTR model.</summary>
    public CtrModel Rank => Select("rank", null, primary: true).Model;
    /// <summary>Ads in bundle order with the primary pre-ranking model's cached representations.</summary>
    public IReadOnlyList<AdState> Ads { get; }
    /// <summary>HNSW index over the primary retrieval model's ad embeddings.</summary>
    public HnswIndex Index => Select("retrieval", null, primary: true).Index!;
    /// <summary>Floats per cached representation of the primary pre-ranking model.</summary>
    public int PrerankSize => Select("prerank", null, primary: true).RepresentationSize;

    /// <summary>The names of the models the bundle holds for <paramref name="stage"/>.</summary>
    public IReadOnlyList<string> ModelNames(string stage) => Models.Where(m => m.Entry.Stage == stage).Select(m => m.Entry.SelectName).ToArray();

    /// <summary>
    /// The model of <paramref name="stage"/> named <paramref name="name"/>; with a null name, the stage's only model
    /// (or, with <paramref name="primary"/>, its first). Throws <see cref="ArgumentException"/> naming the stage, the
    /// models the bundle holds for it and the YAML key that selects one.
    /// </summary>
    public LoadedStageModel Select(string stage, string? name, bool primary = false)
    {
        var candidates = Models.Where(m => m.Entry.Stage == stage).ToArray();
        if (candidates.Length == 0) throw new ArgumentException($"bundle {Directory} has no '{stage}' model (stages: {string.Join(", ", Bundle.Stages)}).");
        string list = string.Join(", ", candidates.Select(c => c.Entry.SelectName));
        if (name is null)
        {
            if (candidates.Length == 1 || primary) return candidates[0];
            throw new ArgumentException($"bundle {Directory} holds {candidates.Length} '{stage}' models ({list}); name one with '{stage}.model' in the serving YAML.");
        }
        return candidates.FirstOrDefault(c => c.Entry.SelectName == name)
            ?? throw new ArgumentException($"{stage}.model '{name}' is not in bundle {Directory}; its '{stage}' models: {list}.");
    }
}

public static partial class Bundle
{
    /// <summary>
    /// Loads and verifies a bundle: the manifest, the checksum of every listed file, the encoder, each stage model
    /// against the schema (names and shapes of every tensor), the representation rows against the ads and the index
    /// against the retrieval model. Throws <see cref="BundleException"/> naming the file and the problem.
    /// </summary>
    public static LoadedBundle Load(string directory)
    {
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory)) throw new BundleException(directory, "bundle directory not found; create one with `cascade export` or `cascade quickstart`.");
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath)) throw new BundleException(manifestPath, "manifest not found; is this a bundle directory?");
        BundleManifest? m;
        try { m = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllBytes(manifestPath), Json); }
        catch (JsonException e) { throw new BundleException(manifestPath, $"invalid manifest JSON ({e.Message}).", e); }
        if (m is null || m.Format != FormatName || m.Stages is null || m.Files is null) throw new BundleException(manifestPath, $"not a {FormatName} manifest.");
        if (m.FormatVersion != FormatVersion) throw new BundleException(manifestPath, $"format version {m.FormatVersion} is not supported (expected {FormatVersion}).");
        if (m.EncoderJsonVersion != SchemaEncoder.JsonVersion) throw new BundleException(manifestPath, $"encoder JSON version {m.EncoderJsonVersion} is not supported (expected {SchemaEncoder.JsonVersion}).");
        foreach (var stage in Stages)
            if (!m.Stages.Any(s => s.Stage == stage)) throw new BundleException(manifestPath, $"no '{stage}' model; a bundle needs at least one model for each of {string.Join(", ", Stages)}.");
        foreach (var s in m.Stages)
            if (!Stages.Contains(s.Stage)) throw new BundleException(manifestPath, $"unknown stage '{s.Stage}' (stages: {string.Join(", ", Stages)}).");
        foreach (var s in m.Stages)
            foreach (var file in new[] { s.Representations, s.IndexFile })
                if (file is not null && !m.Files.Any(f => f.Path == file))
                    throw new BundleException(manifestPath, $"stage '{s.Stage}' model '{s.SelectName}' names '{file}', which is not among the checksummed files.");
        var names = new HashSet<(string, string)>();
        foreach (var s in m.Stages)
            if (!names.Add((s.Stage, s.SelectName))) throw new BundleException(manifestPath, $"stage '{s.Stage}' lists two models named '{s.SelectName}'.");
        foreach (var f in m.Files) VerifyFile(directory, f);

        var encoderPath = Path.Combine(directory, "encoder.json");
        SchemaEncoder encoder;
        try { encoder = SchemaEncoder.FromJson(File.ReadAllText(encoderPath)); }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or KeyNotFoundException)
        { throw new BundleException(encoderPath, $"invalid encoder ({e.Message}).", e); }
        if (encoder.Schema.Name != m.Schema) throw new BundleException(encoderPath, $"schema '{encoder.Schema.Name}' does not match the manifest's '{m.Schema}'.");

        var specs = ReadAds(Path.Combine(directory, "ads.jsonl"));
        if (specs.Count != m.AdCount) throw new BundleException(Path.Combine(directory, "ads.jsonl"), $"{specs.Count} ads, the manifest says {m.AdCount}.");
        var models = m.Stages.Select(s => LoadStage(directory, encoder, s, specs)).ToArray();
        var primaryIndex = models.First(x => x.Entry.Stage == "retrieval").Index!;
        if (primaryIndex.Dimensions != m.IndexDimensions)
            throw new BundleException(manifestPath, $"index dimension {primaryIndex.Dimensions} does not match the manifest's {m.IndexDimensions}.");
        var prerank = models.First(x => x.Entry.Stage == "prerank");

        var states = new AdState[specs.Count];
        var raw = new RawRow(encoder.Schema);
        int per = prerank.RepresentationSize;
        for (int i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            var row = new EncodedRow(encoder.Layout);
            encoder.EncodeRequest(s.Features, raw, row);
            states[i] = new AdState(s.Id, s.Version, s.Bid, s.Budget, s.Paused, s.Features, row, prerank.Representations!.AsSpan(i * per, per).ToArray());
        }
        return new LoadedBundle(directory, m, encoder, models, states);
    }

    private static void VerifyFile(string directory, BundleFile f)
    {
        var path = Path.GetFullPath(Path.Combine(directory, f.Path));
        if (!path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new BundleException(path, "file path escapes the bundle directory.");
        if (!File.Exists(path)) throw new BundleException(path, "missing file listed in the manifest.");
        long bytes = new FileInfo(path).Length;
        if (bytes != f.Bytes) throw new BundleException(path, $"size {bytes} bytes, the manifest says {f.Bytes}; the file is truncated or was modified.");
        var sha = AtomicFile.Sha256(path);
        if (!string.Equals(sha, f.Sha256, StringComparison.OrdinalIgnoreCase)) throw new BundleException(path, $"checksum mismatch (sha256 {sha}, manifest {f.Sha256}); the file is corrupt or was modified.");
    }

    // Rebuilds one stage model and loads what it serves with: retrieval its index, pre-ranking its cached representations.
    private static LoadedStageModel LoadStage(string directory, SchemaEncoder encoder, StageModel s, List<AdSpec> ads)
    {
        var dir = Path.Combine(directory, s.Checkpoint);
        string label = $"stage '{s.Stage}' model '{s.SelectName}'";
        CtrModel model;
        try { model = ModelZoo.Create(encoder.Layout, new ModelSettings(s.Model, s.Parameters, s.Seed, s.EmbeddingDim, s.EmbeddingInitStd)); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException or InvalidOperationException)
        { throw new BundleException(dir, $"{label}: cannot build model '{s.Model}' for schema '{encoder.Schema.Name}' ({e.Message}).", e); }
        try { Checkpoint.Load(dir, model); }
        catch (CheckpointException e) { throw new BundleException(dir, $"{label}: the weights do not match model '{s.Model}' on this schema ({e.Message}).", e); }
        model.Eval();
        if (s.Stage != "rank" && model is not ITwoTowerModel) throw new BundleException(dir, $"{label} ({s.Model}) is not a two-tower model.");
        if (s.Stage == "prerank")
        {
            var repsPath = Path.Combine(directory, s.Representations ?? "reps/prerank.safetensors");
            if (!File.Exists(repsPath)) throw new BundleException(repsPath, $"{label}: missing representations file.");
            var reps = SafeTensors.Read(repsPath);
            if (!reps.Tensors.TryGetValue("prerank", out var pre)) throw new BundleException(repsPath, "no tensor named 'prerank'.");
            int[] expected = [ads.Count, .. s.AdRepresentationShape];
            if (!pre.Shape.SequenceEqual(expected))
                throw new BundleException(repsPath, $"shape ({string.Join(", ", pre.Shape)}) does not match (ads, representation) = ({string.Join(", ", expected)}).");
            return new LoadedStageModel(s, model, null, pre.Data);
        }
        if (s.Stage == "retrieval")
        {
            var indexPath = Path.Combine(directory, s.IndexFile ?? "index.hnsw");
            if (!File.Exists(indexPath)) throw new BundleException(indexPath, $"{label}: missing index file.");
            HnswIndex index;
            try { index = HnswIndex.Load(indexPath); }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException) { throw new BundleException(indexPath, $"invalid index ({e.Message}).", e); }
            if (s.AdRepresentationShape is not [var d] || d != index.Dimensions)
                throw new BundleException(indexPath, $"index dimension {index.Dimensions} does not match the retrieval representation ({string.Join(", ", s.AdRepresentationShape)}).");
            if (index.Count != ads.Count) throw new BundleException(indexPath, $"index holds {index.Count} ads, the manifest says {ads.Count}.");
            foreach (var ad in ads)
                if (!index.Contains(ad.Id)) throw new BundleException(indexPath, $"ad {ad.Id} of ads.jsonl is not in the index.");
            return new LoadedStageModel(s, model, index, null);
        }
        return new LoadedStageModel(s, model, null, null);
    }

    private static List<AdSpec> ReadAds(string path)
    {
        var list = new List<AdSpec>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var r = doc.RootElement;
                list.Add(new AdSpec(r.GetProperty("id").GetInt64(), r.GetProperty("bid").GetDouble(), r.GetProperty("budget").GetDouble(),
                    r.GetProperty("paused").GetBoolean(), AdJson.ReadFeatures(r.GetProperty("features"), "features"), r.GetProperty("version").GetInt64()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            { throw new BundleException($"{path}:{line}", $"invalid ad ({e.Message}).", e); }
        }
        return list;
    }
}
