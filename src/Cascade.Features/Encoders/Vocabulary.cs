namespace Cascade.Features.Encoders;

/// <summary>
/// String → id map fitted on the training split: ids 1..N in order of decreasing training count (ties by ordinal
/// string order, so fitting is deterministic); values seen fewer than MinCount times and unseen values map to the
/// OOV id 0. Lookups take a span and do not allocate.
/// </summary>
public sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _tokens = [];

    /// <summary>Id of out-of-vocabulary and missing values.</summary>
    public const int Oov = 0;

    /// <summary>Creates a vocabulary from tokens in id order (token i gets id i + 1).</summary>
    public Vocabulary(IEnumerable<string> tokens)
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var t in tokens)
        {
            if (!_ids.TryAdd(t, _tokens.Count + 1)) throw new ArgumentException($"duplicate vocabulary token '{t}'.", nameof(tokens));
            _tokens.Add(t);
        }
    }

    /// <summary>Tokens in id order (id = index + 1).</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Table size including the OOV row: N + 1.</summary>
    public int Size => _tokens.Count + 1;

    /// <summary>Id of a value, or <see cref="Oov"/>.</summary>
    public int Encode(ReadOnlySpan<char> value) => _lookup.TryGetValue(value, out int id) ? id : Oov;

    /// <summary>The token of an id, or null for OOV.</summary>
    public string? Decode(int id) => id >= 1 && id <= _tokens.Count ? _tokens[id - 1] : null;

    /// <summary>Counts values while fitting; <see cref="Build"/> turns the counts into a vocabulary.</summary>
    public sealed class Builder
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        /// <summary>Creates an empty counter.</summary>
        public Builder() => _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();

        /// <summary>Counts one occurrence (empty values are "missing" and not counted).</summary>
        public void Add(ReadOnlySpan<char> value)
        {
            if (value.IsEmpty) return;
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out _)++;
        }

        /// <summary>Keeps values with count ≥ <paramref name="minCount"/>, most frequent first.</summary>
        public Vocabulary Build(int minCount)
        {
            var kept = _counts.Where(kv => kv.Value >= minCount).ToList();
            kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
            return new Vocabulary(kept.Select(kv => kv.Key));
        }
    }
}
