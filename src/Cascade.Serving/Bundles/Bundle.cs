using System.Text.Json;
using Cascade.Features.Encoders;
using Cascade.Index;
using Cascade.Models;
using Cascade.Nn.Checkpoints;
using Cascade.Serving.Online;
using Cascade.Tensors;

namespace Cascade.Serving.Bundles;

/// <summary>
/// Self-contained serving bundle: manifest.json, encoder.json, ads.jsonl, models/{retrieval,prerank,rank}/
/// (safetensors checkpoints), reps/prerank.safetensors (EncodeAd of every ad, row i = line i of ads.jsonl) and
/// index.hnsw (HNSW over the retrieval ad embeddings). Written into a temporary directory and renamed into place, so a
/// reader never sees half a bundle.
/// </summary>
public static partial class Bundle
{
    /// <summary>Value of <see cref="BundleManifest.Format"/>.</summary>
    public const string FormatName = "cascade-bundle";

    /// <summary>Current format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>Manifest file name.</summary>
    public const string ManifestFile = "manifest.json";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Stage names in cascade order.</summary>
    public static readonly IReadOnlyList<string> Stages = ["retrieval", "prerank", "rank"];

    /// <summary>
    /// Writes the bundle to <paramref name="directory"/> (which must not exist unless <paramref name="overwrite"/>).
    /// Ad representations are computed here in batches of 256 under NoGrad with the models in eval mode.
    /// </summary>
    public static BundleManifest Export(BundleSource source, string directory, bool overwrite = false)
    {
        directory = Path.GetFullPath(directory);
        if (Directory.Exists(directory) && !overwrite) throw new BundleException(directory, "already exists; pass overwrite (--force) to replace it.");
        _ = AllModels(source, directory);
        if (source.Ads.Count == 0) throw new BundleException(directory, "no ads to export.");
        var ids = new HashSet<long>();
        foreach (var ad in source.Ads) if (!ids.Add(ad.Id)) throw new BundleException(directory, $"ad id {ad.Id} appears twice.");

        string tmp = directory + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(tmp);
        try
        {
            var files = new List<BundleFile>();
            void Track(string rel) { var p = Path.Combine(tmp, rel); files.Add(new BundleFile(rel.Replace('\\', '/'), AtomicFile.Sha256(p), new FileInfo(p).Length)); }

            var encoderJson = System.Text.Encoding.UTF8.GetBytes(source.Encoder.ToJson());
            AtomicFile.Write(Path.Combine(tmp, "encoder.json"), w => w.Write(encoderJson));
            Track("encoder.json");
            WriteAds(Path.Combine(tmp, "ads.jsonl"), source.Ads);
            Track("ads.jsonl");

            var stages = new List<StageModel>();
            int dimensions = 0;
            foreach (var (name, stage, primary) in AllModels(source, directory))
            {
                stage.Model.Eval();
                string suffix = primary ? "" : "-" + stage.SelectName;
                var rel = "models/" + name + suffix;
                Checkpoint.Save(Path.Combine(tmp, rel), stage.Settings.Model, stage.Model);
                Track(rel + "/model.safetensors");
                Track(rel + "/" + Checkpoint.ManifestFile);
                int[] shape = [];
                string? repsFile = null, indexFile = null;
                if (name == "prerank")
                {
                    var (pre, preShape) = EncodeAds(source.Encoder, (ITwoTowerModel)stage.Model, source.Ads);
                    shape = preShape[1..];
                    repsFile = "reps/prerank" + suffix + ".safetensors";
                    Directory.CreateDirectory(Path.Combine(tmp, "reps"));
                    SafeTensors.Write(Path.Combine(tmp, repsFile), [("prerank", Tensor.FromArray(pre, preShape))],
                        new Dictionary<string, string> { ["cascade.stage"] = "prerank", ["cascade.model"] = stage.SelectName });
                    Track(repsFile);
                }
                else if (name == "retrieval")
                {
                    var (vectors, vecShape) = EncodeAds(source.Encoder, (ITwoTowerModel)stage.Model, source.Ads);
                    if (vecShape.Length != 2) throw new BundleException(directory, $"the retrieval model '{stage.SelectName}' has EncodeAd shape ({string.Join(", ", vecShape)}); HNSW needs one vector per ad (B, D).");
                    shape = vecShape[1..];
                    if (primary) dimensions = vecShape[1];
                    for (int i = 0; i < source.Ads.Count; i++) NormalizeInPlace(vectors.AsSpan(i * vecShape[1], vecShape[1]));
                    var index = new HnswIndex(vecShape[1], source.Index);
                    index.AddRange(source.Ads.Select(a => a.Id).ToArray(), vectors);
                    // Every ad is indexed, paused ones too: eligibility (pause, budget) is a search-time filter, so resuming an
                    // ad is a state change, not a graph insert.
                    indexFile = "index" + suffix + ".hnsw";
                    index.Save(Path.Combine(tmp, indexFile));
                    Track(indexFile);
                }
                var s = stage.Settings;
                stages.Add(new StageModel(name, s.Model, s.Parameters, s.Seed, s.EmbeddingDim, s.EmbeddingInitStd, rel, shape, stage.SelectName, repsFile, indexFile));
            }

            var manifest = new BundleManifest(FormatName, FormatVersion, DateTime.UtcNow.ToString("O"), SchemaEncoder.JsonVersion,
                source.Encoder.Schema.Name, source.Ads.Count, source.Index.Metric.ToString(), dimensions, stages, files);
            var json = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            AtomicFile.Write(Path.Combine(tmp, ManifestFile), w => w.Write(json));

            if (Directory.Exists(directory))
            {
                string old = directory + ".old-" + Guid.NewGuid().ToString("N")[..8];
                Directory.Move(directory, old);
                Directory.Move(tmp, directory);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(tmp, directory);
            return manifest;
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }

    // Primary models first (their files keep the names of single-model bundles), then the alternatives; checks kinds and names.
    private static List<(string Stage, TrainedStage Model, bool Primary)> AllModels(BundleSource source, string directory)
    {
        var all = new List<(string, TrainedStage, bool)> { ("retrieval", source.Retrieval, true), ("prerank", source.Prerank, true), ("rank", source.Rank, true) };
        foreach (var alt in source.Alternatives)
        {
            if (!Stages.Contains(alt.Stage)) throw new BundleException(directory, $"alternative model '{alt.Model.SelectName}': unknown stage '{alt.Stage}' (stages: {string.Join(", ", Stages)}).");
            all.Add((alt.Stage, alt.Model, false));
        }
        var seen = new HashSet<(string, string)>();
        foreach (var (stage, m, _) in all)
        {
            string name = m.SelectName;
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new BundleException(directory, $"stage '{stage}': model name '{name}' must be letters, digits, '-' or '_' (it names files).");
            if (!seen.Add((stage, name))) throw new BundleException(directory, $"stage '{stage}' has two models named '{name}'; give one another name.");
            if (stage != "rank" && m.Model is not ITwoTowerModel)
                throw new BundleException(directory, $"the {stage} model '{name}' ({m.Settings.Model}) is not a two-tower model.");
        }
        return all;
    }

    /// <summary>Scales <paramref name="v"/> to unit L2 norm; a (near-)zero vector is left as it is (cosine 0 with everything).</summary>
    public static void NormalizeInPlace(Span<float> v)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        if (norm > 1e-12f) System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>EncodeAd of every ad in batches of 256. Returns the rows flattened and the full shape (A, ...).</summary>
    internal static (float[] Data, int[] Shape) EncodeAds(SchemaEncoder encoder, ITwoTowerModel model, IReadOnlyList<AdSpec> ads)
    {
        const int chunk = 256;
        var assembler = new RowAssembler(encoder.Layout);
        var batch = assembler.NewBatch(chunk);
        var empty = new EncodedRow(encoder.Layout);
        var raw = new Cascade.Features.Encoders.RawRow(encoder.Schema);
        var rows = Enumerable.Range(0, chunk).Select(_ => new EncodedRow(encoder.Layout)).ToArray();
        float[]? data = null;
        int[] shape = [];
        int per = 0;
        var arena = new TensorArena();
        using var _ = Autograd.NoGrad();
        for (int start = 0; start < ads.Count; start += chunk)
        {
            int n = Math.Min(chunk, ads.Count - start);
            RowAssembler.Reset(batch);
            for (int i = 0; i < n; i++)
            {
                encoder.EncodeRequest(ads[start + i].Features, raw, rows[i]);
                assembler.Append(batch, empty, rows[i]);
            }
            using (arena.Activate())
            {
                var rep = model.EncodeAd(ModelInput.FromBatch(batch, encoder.Layout));
                if (data is null)
                {
                    shape = rep.ShapeArray;
                    per = rep.Size / n;
                    shape[0] = ads.Count;
                    data = new float[(long)per * ads.Count];
                }
                rep.Span.CopyTo(data.AsSpan(start * per, n * per));
            }
        }
        return (data!, shape);
    }

    private static void WriteAds(string path, IReadOnlyList<AdSpec> ads)
    {
        AtomicFile.Write(path, w =>
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
            foreach (var ad in ads)
            {
                buffer.ResetWrittenCount();
                using (var jw = new Utf8JsonWriter(buffer)) WriteAd(jw, ad);
                w.Write(buffer.WrittenSpan);
                w.Write("\n"u8);
            }
        });
    }

    internal static void WriteAd(Utf8JsonWriter w, AdSpec ad)
    {
        w.WriteStartObject();
        w.WriteNumber("id", ad.Id);
        w.WriteNumber("version", ad.Version);
        w.WriteNumber("bid", ad.Bid);
        w.WriteNumber("budget", ad.Budget);
        w.WriteBoolean("paused", ad.Paused);
        w.WritePropertyName("features");
        AdJson.WriteFeatures(w, ad.Features);
        w.WriteEndObject();
    }
}
