using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

public sealed partial class SchemaEncoder
{
    /// <summary>Format version of the JSON written by <see cref="ToJson"/>; bump on incompatible change.</summary>
    public const int JsonVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private sealed record State(
        int Version, DatasetSchema Schema, Dictionary<string, string[]> Vocabularies, Dictionary<string, int> HashBuckets,
        Dictionary<string, DenseScaler> Scalers, Dictionary<string, float[]> Buckets);

    /// <summary>
    /// Serialises the schema and every fitted encoder (vocabulary tokens in id order, hash bucket counts, scaler
    /// statistics, bucket boundaries; MNS and LSH are rebuilt from the schema and seed) for the model bundle.
    /// </summary>
    public string ToJson()
    {
        var vocab = new Dictionary<string, string[]>();
        var hashes = new Dictionary<string, int>();
        var scalers = new Dictionary<string, DenseScaler>();
        var buckets = new Dictionary<string, float[]>();
        for (int i = 0; i < Schema.Features.Count; i++)
        {
            var f = Schema.Features[i];
            if (_ids[i] is { } t)
            {
                if (t.Vocabulary is not null) vocab[f.Table] = [.. t.Vocabulary.Tokens];
                else hashes[f.Table] = t.HashBuckets;
            }
            if (_scalers[i] is { } s) scalers[f.Name] = s;
            if (_buckets[i] is { } b) buckets[f.Name] = b.Boundaries;
        }
        return JsonSerializer.Serialize(new State(JsonVersion, Schema with { File = null }, vocab, hashes, scalers, buckets), Options);
    }

    /// <summary>Restores an encoder written by <see cref="ToJson"/>; throws <see cref="FormatException"/> when the JSON is invalid.</summary>
    public static SchemaEncoder FromJson(string json)
    {
        State? st;
        try { st = JsonSerializer.Deserialize<State>(json, Options); }
        catch (JsonException e) { throw new FormatException($"encoder JSON is invalid: {e.Message}", e); }
        if (st is null) throw new FormatException("encoder JSON is empty.");
        if (st.Version != JsonVersion) throw new FormatException($"encoder JSON version {st.Version}, this build reads {JsonVersion}.");
        var errors = SchemaLoader.Validate(st.Schema);
        if (errors.Count > 0) throw new SchemaException(errors);
        var tables = new Dictionary<string, IdTable>();
        foreach (var (k, v) in st.Vocabularies) tables[k] = new IdTable(new Vocabulary(v));
        foreach (var (k, v) in st.HashBuckets) tables[k] = new IdTable(v);
        int n = st.Schema.Features.Count;
        var scalers = new DenseScaler?[n];
        var buckets = new QuantileBuckets?[n];
        for (int i = 0; i < n; i++)
        {
            var f = st.Schema.Features[i];
            if (f.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence && !tables.ContainsKey(f.Table))
                throw new FormatException($"encoder JSON has no table '{f.Table}' for feature '{f.Name}'.");
            if (f.Kind == FeatureKind.Dense)
                scalers[i] = st.Scalers.TryGetValue(f.Name, out var s) ? s : throw new FormatException($"encoder JSON has no scaler for '{f.Name}'.");
            if (f.Kind == FeatureKind.Bucketized)
                buckets[i] = st.Buckets.TryGetValue(f.Name, out var b) ? new QuantileBuckets(b) : throw new FormatException($"encoder JSON has no buckets for '{f.Name}'.");
        }
        return new SchemaEncoder(st.Schema, tables, scalers, buckets);
    }
}
