using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Nn.Checkpoints;

namespace Cascade.Training;

public sealed partial class Trainer
{
    private const string PointerFile = "latest.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private float[][]? _bestState;

    /// <summary>The trainer's own state, stored as checkpoint metadata.</summary>
    internal sealed class TrainerState
    {
        public int NextEpoch { get; set; }
        public int BestEpoch { get; set; } = -1;
        public double BestMetric { get; set; } = double.NaN;
        public int BadEpochs { get; set; }
        public bool StoppedEarly { get; set; }
        public List<EpochLog> Logs { get; set; } = new();
    }

    private sealed record Pointer(string Last, string Best);

    private void SnapshotBest()
    {
        var state = _model.NamedState().Select(s => s.Value.Span.ToArray()).ToArray();
        _bestState = state;
    }

    private void RestoreBest()
    {
        int i = 0;
        foreach (var (_, value) in _model.NamedState()) _bestState![i++].CopyTo(value.Span);
    }

    /// <summary>
    /// Saves epoch-NNNN (model, optimizer, trainer state), then atomically points latest.json at it (and at the best
    /// epoch's folder), then deletes folders no longer pointed at; a kill at any moment leaves a loadable pointer.
    /// </summary>
    private void SaveCheckpoint(TrainerState state, bool improved)
    {
        if (string.IsNullOrEmpty(_config.CheckpointDir)) return;
        string dir = _config.CheckpointDir;
        string name = $"epoch-{state.NextEpoch - 1:D4}";
        var meta = new Dictionary<string, string> { ["trainer"] = JsonSerializer.Serialize(state, Json) };
        Checkpoint.Save(Path.Combine(dir, name), _model.Name, _model, _optimizer, meta);
        var old = ReadPointer(dir);
        string best = improved || old is null ? name : old.Best;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new Pointer(name, best), Json);
        AtomicFile.Write(Path.Combine(dir, PointerFile), w => w.Write(bytes));
        foreach (var sub in Directory.GetDirectories(dir, "epoch-*"))
        {
            string n = Path.GetFileName(sub);
            if (n != name && n != best) Directory.Delete(sub, recursive: true);
        }
    }

    private static Pointer? ReadPointer(string dir)
    {
        string path = Path.Combine(dir, PointerFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<Pointer>(File.ReadAllBytes(path), Json); }
        catch (JsonException e) { throw new CheckpointException(path, null, $"invalid pointer JSON ({e.Message}).", e); }
    }

    /// <summary>Loads the best weights into the snapshot and the last epoch into the model and optimizer; null when there is nothing to resume.</summary>
    private TrainerState? TryResume()
    {
        if (string.IsNullOrEmpty(_config.CheckpointDir)) return null;
        var pointer = ReadPointer(_config.CheckpointDir);
        if (pointer is null) return null;
        Checkpoint.Load(Path.Combine(_config.CheckpointDir, pointer.Best), _model);
        SnapshotBest();
        var manifest = Checkpoint.Load(Path.Combine(_config.CheckpointDir, pointer.Last), _model, _optimizer);
        string path = Path.Combine(_config.CheckpointDir, pointer.Last, Checkpoint.ManifestFile);
        if (!manifest.Metadata.TryGetValue("trainer", out var json))
            throw new CheckpointException(path, null, "the checkpoint has no trainer state (it was not written by the trainer).");
        return JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new CheckpointException(path, null, "empty trainer state.");
    }
}
