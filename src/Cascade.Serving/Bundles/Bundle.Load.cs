using System.Text.Json;
using Cascade.Features.Encoders;
using Cascade.Index;
using Cascade.Models;
using Cascade.Nn.Checkpoints;
using Cascade.Serving.Online;

namespace Cascade.Serving.Bundles;

/// <summary>A bundle loaded and verified: the encoder, the three stage models (eval mode), the ads and the index.</summary>
public sealed class LoadedBundle
{
    internal LoadedBundle(string directory, BundleManifest manifest, SchemaEncoder encoder, CtrModel retrieval, CtrModel prerank,
        CtrModel rank, IReadOnlyList<AdState> ads, HnswIndex index)
    {
        Directory = directory; Manifest = manifest; Encoder = encoder;
        Retrieval = retrieval; Prerank = prerank; Rank = rank; Ads = ads; Index = index;
    }

    /// <summary>Bundle directory.</summary>
    public string Directory { get; }
    /// <summary>The verified manifest.</summary>
    public BundleManifest Manifest { get; }
    /// <summary>The training encoder.</summary>
    public SchemaEncoder Encoder { get; }
    /// <summary>Retrieval model (two-tower; its ad embeddings are the HNSW vectors).</summary>
    public CtrModel Retrieval { get; }
    /// <summary>Pre-ranking model (two-tower; ad side cached per ad).</summary>
    public CtrModel Prerank { get; }
    /// <summary>Ranking pCTR model.</summary>
    public CtrModel Rank { get; }
    /// <summary>Ads in bundle order with their cached pre-ranking representations.</summary>
    public IReadOnlyList<AdState> Ads { get; }
    /// <summary>HNSW index over retrieval ad embeddings.</summary>
    public HnswIndex Index { get; }
    /// <summary>Floats per cached pre-ranking representation.</summary>
    public int PrerankSize => Manifest.Stages[1].AdRepresentationShape.Aggregate(1, (a, b) => a * b);
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
        if (!m.Stages.Select(s => s.Stage).SequenceEqual(Stages)) throw new BundleException(manifestPath, $"stages must be {string.Join(", ", Stages)} in that order.");
        foreach (var f in m.Files) VerifyFile(directory, f);

        var encoderPath = Path.Combine(directory, "encoder.json");
        SchemaEncoder encoder;
        try { encoder = SchemaEncoder.FromJson(File.ReadAllText(encoderPath)); }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or KeyNotFoundException)
        { throw new BundleException(encoderPath, $"invalid encoder ({e.Message}).", e); }
        if (encoder.Schema.Name != m.Schema) throw new BundleException(encoderPath, $"schema '{encoder.Schema.Name}' does not match the manifest's '{m.Schema}'.");

        var models = m.Stages.Select(s => LoadStage(directory, encoder, s)).ToArray();
        for (int i = 0; i < 2; i++)
            if (models[i] is not ITwoTowerModel) throw new BundleException(Path.Combine(directory, m.Stages[i].Checkpoint), $"stage '{m.Stages[i].Stage}' model '{m.Stages[i].Model}' is not a two-tower model.");

        var specs = ReadAds(Path.Combine(directory, "ads.jsonl"));
        if (specs.Count != m.AdCount) throw new BundleException(Path.Combine(directory, "ads.jsonl"), $"{specs.Count} ads, the manifest says {m.AdCount}.");
        var repsPath = Path.Combine(directory, "reps/prerank.safetensors");
        if (!File.Exists(repsPath)) throw new BundleException(repsPath, "missing file.");
        var reps = SafeTensors.Read(repsPath);
        if (!reps.Tensors.TryGetValue("prerank", out var pre)) throw new BundleException(repsPath, "no tensor named 'prerank'.");
        int[] expected = [m.AdCount, .. m.Stages[1].AdRepresentationShape];
        if (!pre.Shape.SequenceEqual(expected))
            throw new BundleException(repsPath, $"shape ({string.Join(", ", pre.Shape)}) does not match (ads, representation) = ({string.Join(", ", expected)}).");
        int per = pre.Data.Length / Math.Max(1, m.AdCount);

        var indexPath = Path.Combine(directory, "index.hnsw");
        if (!File.Exists(indexPath)) throw new BundleException(indexPath, "missing file.");
        HnswIndex index;
        try { index = HnswIndex.Load(indexPath); }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException) { throw new BundleException(indexPath, $"invalid index ({e.Message}).", e); }
        if (index.Dimensions != m.IndexDimensions || m.Stages[0].AdRepresentationShape is not [var d] || d != index.Dimensions)
            throw new BundleException(indexPath, $"index dimension {index.Dimensions} does not match the retrieval representation ({string.Join(", ", m.Stages[0].AdRepresentationShape)}).");
        if (index.Count != m.AdCount) throw new BundleException(indexPath, $"index holds {index.Count} ads, the manifest says {m.AdCount}.");

        var states = new AdState[specs.Count];
        var raw = new RawRow(encoder.Schema);
        for (int i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            var row = new EncodedRow(encoder.Layout);
            encoder.EncodeRequest(s.Features, raw, row);
            if (!index.Contains(s.Id)) throw new BundleException(indexPath, $"ad {s.Id} of ads.jsonl is not in the index.");
            states[i] = new AdState(s.Id, s.Version, s.Bid, s.Budget, s.Paused, s.Features, row, pre.Data.AsSpan(i * per, per).ToArray());
        }
        return new LoadedBundle(directory, m, encoder, models[0], models[1], models[2], states, index);
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

    private static CtrModel LoadStage(string directory, SchemaEncoder encoder, StageModel s)
    {
        var dir = Path.Combine(directory, s.Checkpoint);
        CtrModel model;
        try { model = ModelZoo.Create(encoder.Layout, new ModelSettings(s.Model, s.Parameters, s.Seed, s.EmbeddingDim, s.EmbeddingInitStd)); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException or InvalidOperationException)
        { throw new BundleException(dir, $"stage '{s.Stage}': cannot build model '{s.Model}' for schema '{encoder.Schema.Name}' ({e.Message}).", e); }
        try { Checkpoint.Load(dir, model); }
        catch (CheckpointException e) { throw new BundleException(dir, $"stage '{s.Stage}': the weights do not match model '{s.Model}' on this schema ({e.Message}).", e); }
        model.Eval();
        return model;
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
