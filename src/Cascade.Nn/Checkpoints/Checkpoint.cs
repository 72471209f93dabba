using System.Text.Json;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Checkpoints;

/// <summary>A file of a checkpoint with its checksum.</summary>
/// <param name="Path">File name relative to the checkpoint directory.</param>
/// <param name="Sha256">SHA-256 of the file (lower-case hex).</param>
/// <param name="Bytes">File size.</param>
public sealed record CheckpointFile(string Path, string Sha256, long Bytes);

/// <summary>One stored tensor: full dotted name, shape and kind ("parameter" or "buffer").</summary>
public sealed record CheckpointTensor(string Name, int[] Shape, string Kind);

/// <summary>The JSON manifest (<c>manifest.json</c>) of a checkpoint directory.</summary>
/// <param name="Format">Always <see cref="Checkpoint.FormatName"/>.</param>
/// <param name="FormatVersion">Layout version (<see cref="Checkpoint.FormatVersion"/>).</param>
/// <param name="ModelName">Name given by the caller.</param>
/// <param name="CreatedUtc">ISO-8601 creation time.</param>
/// <param name="Model">The module state file.</param>
/// <param name="Optimizer">The optimizer state file, when saved.</param>
/// <param name="OptimizerKind">Optimizer kind ("adam", ...), when saved.</param>
/// <param name="OptimizerStep">Optimizer step count, when saved.</param>
/// <param name="Tensors">Every module tensor.</param>
/// <param name="Metadata">User metadata.</param>
public sealed record CheckpointManifest(string Format, int FormatVersion, string ModelName, string CreatedUtc, CheckpointFile Model,
    CheckpointFile? Optimizer, string? OptimizerKind, int OptimizerStep, IReadOnlyList<CheckpointTensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Saves and loads a module's state (parameters and buffers) and optionally an optimizer's state, as a directory:
/// <c>model.safetensors</c>, <c>optimizer.safetensors</c> (keys <c>{parameter}.{slot}</c>) and <c>manifest.json</c>
/// (written last). Every file is written atomically; loading verifies each file's SHA-256 against the manifest and
/// that names and shapes match the module exactly.
/// </summary>
/// <example><code>Checkpoint.Save("ckpt/step-1000", "dnn", model, optimizer); Checkpoint.Load("ckpt/step-1000", model, optimizer);</code></example>
public static class Checkpoint
{
    /// <summary>Value of the manifest's <c>format</c> field.</summary>
    public const string FormatName = "cascade-checkpoint";

    /// <summary>Current layout version.</summary>
    public const int FormatVersion = 1;

    /// <summary>Manifest file name.</summary>
    public const string ManifestFile = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the checkpoint and returns its manifest.</summary>
    public static CheckpointManifest Save(string directory, string modelName, Module module, Optimizer? optimizer = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);
        var state = module.NamedState().ToList();
        var modelPath = Path.Combine(directory, "model.safetensors");
        var modelSha = SafeTensors.Write(modelPath, state, new Dictionary<string, string> { ["format"] = "pt", ["cascade.model"] = modelName });
        var model = new CheckpointFile("model.safetensors", modelSha, new FileInfo(modelPath).Length);
        CheckpointFile? optFile = null;
        if (optimizer is not null)
        {
            var names = ParameterNames(module);
            var entries = new List<(string, Tensor)>();
            foreach (var p in optimizer.ManagedParameters())
            {
                if (!names.TryGetValue(p, out var name)) throw new ArgumentException($"The optimizer manages {p}, which is not a parameter of the module being saved.", nameof(optimizer));
                foreach (var (slot, values) in optimizer.State(p)) entries.Add(($"{name}.{slot}", Tensor.FromArray(values, p.Shape)));
            }
            var optPath = Path.Combine(directory, "optimizer.safetensors");
            var sha = SafeTensors.Write(optPath, entries, new Dictionary<string, string> { ["kind"] = optimizer.Kind, ["step"] = optimizer.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            optFile = new CheckpointFile("optimizer.safetensors", sha, new FileInfo(optPath).Length);
        }
        var buffers = module.NamedBuffers().Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        var manifest = new CheckpointManifest(FormatName, FormatVersion, modelName, DateTime.UtcNow.ToString("O"), model, optFile,
            optimizer?.Kind, optimizer?.StepCount ?? 0,
            state.Select(s => new CheckpointTensor(s.Name, s.Value.ShapeArray, buffers.Contains(s.Name) ? "buffer" : "parameter")).ToList(),
            metadata ?? new Dictionary<string, string>());
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        AtomicFile.Write(Path.Combine(directory, ManifestFile), w => w.Write(json));
        return manifest;
    }

    /// <summary>Reads and checks the manifest of a checkpoint directory.</summary>
    public static CheckpointManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path)) throw new CheckpointException(path, null, "manifest not found; is this a checkpoint directory?");
        CheckpointManifest? m;
        try { m = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(path), Json); }
        catch (JsonException e) { throw new CheckpointException(path, null, $"invalid manifest JSON ({e.Message}).", e); }
        if (m is null || m.Format != FormatName || m.Model is null || m.Tensors is null)
            throw new CheckpointException(path, null, $"not a {FormatName} manifest.");
        if (m.FormatVersion != FormatVersion) throw new CheckpointException(path, null, $"format version {m.FormatVersion} is not supported (expected {FormatVersion}).");
        return m;
    }

    /// <summary>
    /// Loads the module state (and the optimizer state when <paramref name="optimizer"/> is given) after verifying
    /// checksums, names and shapes; nothing is modified unless every check passes.
    /// </summary>
    public static CheckpointManifest Load(string directory, Module module, Optimizer? optimizer = null)
    {
        var manifest = ReadManifest(directory);
        var modelPath = Path.Combine(directory, manifest.Model.Path);
        var file = ReadVerified(modelPath, manifest.Model.Sha256);
        var targets = module.NamedState().ToList();
        MatchExactly(modelPath, file, targets.Select(t => (t.Name, t.Value)));
        SafeTensorsFile? optFile = null;
        List<(string, float[])>? optTargets = null;
        if (optimizer is not null)
        {
            if (manifest.Optimizer is null) throw new CheckpointException(Path.Combine(directory, ManifestFile), null, "the checkpoint has no optimizer state.");
            var optPath = Path.Combine(directory, manifest.Optimizer.Path);
            optFile = ReadVerified(optPath, manifest.Optimizer.Sha256);
            if (!optFile.Metadata.TryGetValue("kind", out var kind) || kind != optimizer.Kind)
                throw new CheckpointException(optPath, null, $"optimizer kind '{kind}' does not match the optimizer being restored ('{optimizer.Kind}').");
            var names = ParameterNames(module);
            optTargets = new List<(string, float[])>();
            var expected = new List<(string, Tensor)>();
            foreach (var p in optimizer.ManagedParameters())
            {
                if (!names.TryGetValue(p, out var name)) throw new ArgumentException($"The optimizer manages {p}, which is not a parameter of the module.", nameof(optimizer));
                foreach (var (slot, values) in optimizer.State(p))
                {
                    optTargets.Add(($"{name}.{slot}", values));
                    expected.Add(($"{name}.{slot}", Tensor.FromArray(values, p.Shape)));
                }
            }
            MatchExactly(optPath, optFile, expected);
        }
        foreach (var (name, value) in targets) file.Tensors[name].Data.CopyTo(value.Span);
        if (optimizer is not null && optFile is not null && optTargets is not null)
        {
            foreach (var (name, values) in optTargets) optFile.Tensors[name].Data.CopyTo(values, 0);
            optimizer.RestoreStepCount(int.Parse(optFile.Metadata.GetValueOrDefault("step", "0"), System.Globalization.CultureInfo.InvariantCulture));
        }
        return manifest;
    }

    private static SafeTensorsFile ReadVerified(string path, string sha256)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, null, "file listed in the manifest is missing.");
        var file = SafeTensors.Read(path);
        if (!string.Equals(file.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException(path, null, $"checksum mismatch: SHA-256 {file.Sha256} but the manifest records {sha256} (file corrupted or replaced).");
        return file;
    }

    private static void MatchExactly(string path, SafeTensorsFile file, IEnumerable<(string Name, Tensor Value)> expected)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in expected)
        {
            names.Add(name);
            if (!file.Tensors.TryGetValue(name, out var stored)) throw new CheckpointException(path, name, "missing from the file (the model has it).");
            if (!stored.Shape.AsSpan().SequenceEqual(value.Shape))
                throw new CheckpointException(path, name, $"shape mismatch: file has {ShapeUtil.Format(stored.Shape)}, model expects {ShapeUtil.Format(value.Shape)}.");
        }
        foreach (var name in file.Tensors.Keys)
            if (!names.Contains(name)) throw new CheckpointException(path, name, "unexpected: the file has it but the model does not.");
    }

    private static Dictionary<Parameter, string> ParameterNames(Module module)
    {
        var map = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in module.NamedParameters()) map.TryAdd(p, name);
        return map;
    }
}
