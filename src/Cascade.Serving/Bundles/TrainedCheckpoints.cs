using System.Text.Json;
using Cascade.Features.Encoders;
using Cascade.Models;
using Cascade.Nn.Checkpoints;

namespace Cascade.Serving.Bundles;

/// <summary>
/// Stage models for <see cref="Bundle.Export"/> from checkpoints written by the trainer (<c>cascade train</c>), so a
/// bundle can serve models trained with the YAML trainer instead of the export pipeline's own short training. Accepts
/// the three checkpoint shapes the trainer leaves: a plain checkpoint directory (<c>&lt;output_dir&gt;/model</c>, the
/// selected epoch's weights), a trainer checkpoint directory with <c>latest.json</c> (its <c>best</c> epoch is used)
/// or one <c>epoch-NNNN</c> folder.
/// </summary>
public static class TrainedCheckpoints
{
    /// <summary>The pointer file the trainer writes into its checkpoint directory.</summary>
    public const string PointerFile = "latest.json";

    /// <summary>
    /// Resolves <paramref name="path"/> to the directory holding the weights: itself when it holds a checkpoint
    /// manifest, else the best epoch named by its <c>latest.json</c>. Throws <see cref="BundleException"/> naming the path.
    /// </summary>
    public static string ResolveDirectory(string path)
    {
        path = Path.GetFullPath(path);
        if (!Directory.Exists(path)) throw new BundleException(path, "checkpoint directory not found (pass training.output_dir/model or training.checkpoint_dir of the train config).");
        if (File.Exists(Path.Combine(path, Checkpoint.ManifestFile))) return path;
        var pointer = Path.Combine(path, PointerFile);
        if (!File.Exists(pointer)) throw new BundleException(path, $"neither a checkpoint ({Checkpoint.ManifestFile}) nor a trainer checkpoint directory ({PointerFile}).");
        string? best;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(pointer));
            best = doc.RootElement.TryGetProperty("best", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
        }
        catch (JsonException e) { throw new BundleException(pointer, $"invalid JSON ({e.Message}).", e); }
        if (string.IsNullOrEmpty(best) || best.Contains('/') || best.Contains('\\') || best.Contains(".."))
            throw new BundleException(pointer, "no valid 'best' epoch folder.");
        var dir = Path.Combine(path, best);
        if (!File.Exists(Path.Combine(dir, Checkpoint.ManifestFile))) throw new BundleException(dir, $"the best epoch named by {PointerFile} has no checkpoint.");
        return dir;
    }

    /// <summary>
    /// Builds <paramref name="settings"/>' model on <paramref name="encoder"/>'s layout (the encoder the model was
    /// trained with) and loads the weights of <paramref name="checkpoint"/> (see <see cref="ResolveDirectory"/>) into it.
    /// <paramref name="stage"/> is "retrieval", "prerank" or "rank"; retrieval and pre-ranking need two-tower models.
    /// Errors name the stage, the checkpoint and what does not match.
    /// </summary>
    public static TrainedStage Load(string stage, ModelSettings settings, SchemaEncoder encoder, string checkpoint, string? name = null)
    {
        if (!Bundle.Stages.Contains(stage)) throw new ArgumentException($"unknown stage '{stage}' (stages: {string.Join(", ", Bundle.Stages)}).", nameof(stage));
        var dir = ResolveDirectory(checkpoint);
        var manifest = Checkpoint.ReadManifest(dir);
        if (manifest.ModelName != settings.Model)
            throw new BundleException(dir, $"stage '{stage}': the checkpoint holds model '{manifest.ModelName}' but the train config says '{settings.Model}'.");
        CtrModel model;
        try { model = ModelZoo.Create(encoder.Layout, settings); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException or InvalidOperationException)
        { throw new BundleException(dir, $"stage '{stage}': cannot build model '{settings.Model}' for schema '{encoder.Schema.Name}' ({e.Message}).", e); }
        if (stage != "rank" && model is not ITwoTowerModel)
            throw new BundleException(dir, $"stage '{stage}' needs a two-tower model; '{settings.Model}' is not one.");
        try { Checkpoint.Load(dir, model); }
        catch (CheckpointException e)
        { throw new BundleException(dir, $"stage '{stage}': the weights do not match model '{settings.Model}' on this schema; was it trained with this config and data? ({e.Message})", e); }
        model.Eval();
        return new TrainedStage(settings, model, name);
    }
}
