using System.Text.Json;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;

namespace Cascade.Features.Data;

/// <summary>
/// Saves and loads prepared splits as three <see cref="DatasetCache"/> files (train.cds, validation.cds, test.cds)
/// whose metadata carries the description, the counts and the encoder JSON. A cache is reused only when its
/// description equals the requested one, so changing the seed or protocol rebuilds it.
/// </summary>
public static class PreparedDataCache
{
    private sealed record Meta(string Description, MovieLensStats Stats, string Encoder, string Split);

    /// <summary>Writes the three splits into <paramref name="dir"/> (each file atomically).</summary>
    public static void Save(PreparedData p, string dir)
    {
        string enc = p.Encoder.ToJson();
        foreach (var (name, ds) in new[] { ("train", p.Train), ("validation", p.Validation), ("test", p.Test) })
            DatasetCache.Write(Path.Combine(dir, name + ".cds"), ds, JsonSerializer.Serialize(new Meta(p.Description, p.Stats, enc, name)));
    }

    /// <summary>Loads splits saved by <see cref="Save"/>; null when absent or built with another description.</summary>
    public static PreparedData? TryLoad(string dir, string description)
    {
        if (new[] { "train", "validation", "test" }.Any(n => !File.Exists(Path.Combine(dir, n + ".cds")))) return null;
        var sets = new List<(Data.ColumnarDataset, Meta)>();
        foreach (var name in new[] { "train", "validation", "test" })
        {
            var (ds, metaJson) = DatasetCache.Read(Path.Combine(dir, name + ".cds"));
            var meta = JsonSerializer.Deserialize<Meta>(metaJson) ?? throw new InvalidDataException($"{dir}/{name}.cds: empty metadata.");
            if (meta.Description != description) return null;
            sets.Add((ds, meta));
        }
        var m = sets[0].Item2;
        return new PreparedData(sets[0].Item1, sets[1].Item1, sets[2].Item1, SchemaEncoder.FromJson(m.Encoder), m.Stats, m.Description);
    }
}
