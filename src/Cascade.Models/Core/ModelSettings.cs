using System.Globalization;

namespace Cascade.Models;

/// <summary>
/// Settings of one model from an experiment config: the common knobs plus model-specific parameters by name.
/// Every parameter a model reads is recorded; <see cref="ThrowOnUnused"/> turns a typo in a config into an error
/// that names the key and the keys the model knows.
/// </summary>
public sealed class ModelSettings
{
    private readonly Dictionary<string, string> _params;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Creates settings; <paramref name="parameters"/> holds model-specific values as strings (from YAML).</summary>
    public ModelSettings(string model, IReadOnlyDictionary<string, string>? parameters = null, ulong seed = 1023, int embeddingDim = 32, float embeddingInitStd = 1e-4f)
    {
        Model = model;
        _params = parameters?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new(StringComparer.Ordinal);
        Seed = seed;
        EmbeddingDim = embeddingDim;
        EmbeddingInitStd = embeddingInitStd;
    }

    /// <summary>Registered model name.</summary>
    public string Model { get; }

    /// <summary>Initialisation seed.</summary>
    public ulong Seed { get; }

    /// <summary>Embedding dimension of every table.</summary>
    public int EmbeddingDim { get; }

    /// <summary>σ of the embedding initialisation.</summary>
    public float EmbeddingInitStd { get; }

    /// <summary>Raw parameters as given.</summary>
    public IReadOnlyDictionary<string, string> Parameters => _params;

    /// <summary>The embedder options these settings imply.</summary>
    public EmbedderOptions EmbedderOptions => new(EmbeddingDim, EmbeddingInitStd, Seed);

    /// <summary>An integer parameter, or <paramref name="fallback"/> when absent.</summary>
    public int Int(string key, int fallback) => Get(key, fallback, s => int.Parse(s, CultureInfo.InvariantCulture), "an integer");

    /// <summary>A float parameter, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string key, float fallback) => Get(key, fallback, s => float.Parse(s, CultureInfo.InvariantCulture), "a number");

    /// <summary>A boolean parameter (true/false), or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string key, bool fallback) => Get(key, fallback, s => bool.Parse(s), "true or false");

    /// <summary>A string parameter, or <paramref name="fallback"/> when absent.</summary>
    public string String(string key, string fallback) => Get(key, fallback, s => s, "a string");

    /// <summary>A list of integers written as "300,300,128" or "[300, 300, 128]".</summary>
    public int[] Ints(string key, int[] fallback) => Get(key, fallback,
        s => s.Trim('[', ']', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
              .Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(), "a list of integers like 300,300,128");

    /// <summary>Throws when a given parameter was never read by the model (a typo or a knob of another model).</summary>
    public void ThrowOnUnused()
    {
        var unused = _params.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new ArgumentException($"Model '{Model}' does not know the parameter(s) {string.Join(", ", unused.Select(u => $"'{u}'"))}; it reads: {string.Join(", ", _known.Order())}.");
    }

    private T Get<T>(string key, T fallback, Func<string, T> parse, string expected)
    {
        _read.Add(key);
        _known.Add(key);
        if (!_params.TryGetValue(key, out var raw)) return fallback;
        try { return parse(raw); }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"Model '{Model}' parameter '{key}': expected {expected}, got '{raw}'.", e);
        }
    }
}
