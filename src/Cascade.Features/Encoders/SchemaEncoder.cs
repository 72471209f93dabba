using System.Globalization;
using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

/// <summary>
/// All fitted encoders of a schema. <see cref="EncodeRow"/> is the one code path from raw values to ids and floats:
/// the batch readers call it per row while building a dataset, and serving calls it per request. Create with
/// <see cref="SchemaEncoderFitter"/> (fitted on the training split) or <see cref="FromJson"/> (from a model bundle).
/// </summary>
public sealed partial class SchemaEncoder
{
    private readonly IdTable?[] _ids;          // per feature: table of sparse/multi-hot/sequence features
    private readonly DenseScaler?[] _scalers;  // per feature: dense
    private readonly QuantileBuckets?[] _buckets;
    private readonly MnsCode?[] _mns;
    private readonly SimHashLsh?[] _lsh;
    private readonly FeatureSlot[] _slots;

    /// <summary>The schema.</summary>
    public DatasetSchema Schema { get; }
    /// <summary>The encoded layout (block offsets, widths, table sizes).</summary>
    public FeatureLayout Layout { get; }

    internal SchemaEncoder(DatasetSchema schema, Dictionary<string, IdTable> tables, DenseScaler?[] scalers, QuantileBuckets?[] buckets)
    {
        Schema = schema;
        int n = schema.Features.Count;
        _ids = new IdTable?[n]; _scalers = scalers; _buckets = buckets; _mns = new MnsCode?[n]; _lsh = new SimHashLsh?[n];
        for (int i = 0; i < n; i++)
        {
            var f = schema.Features[i];
            switch (f.Kind)
            {
                case FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence: _ids[i] = tables[f.Table]; break;
                case FeatureKind.Mns: _mns[i] = new MnsCode(f.Bases, f.MnsMax); break;
                case FeatureKind.EmbeddingSimilarity: _mns[i] = new MnsCode(f.Bases, f.MnsMax); break;
                case FeatureKind.LshHashId:
                    _lsh[i] = new SimHashLsh(f.VectorDim, f.LshBits, f.LshSeed);
                    _mns[i] = new MnsCode(f.Bases, _lsh[i]!.MaxCode);
                    break;
            }
        }
        Layout = new FeatureLayout(schema.Features, f =>
        {
            int i = schema.IndexOf(f.Name);
            return f.Kind switch
            {
                FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence => (1, _ids[i]!.Size),
                FeatureKind.Bucketized => (1, _buckets[i]!.Size),
                FeatureKind.Mns or FeatureKind.EmbeddingSimilarity or FeatureKind.LshHashId => (_mns[i]!.Width, _mns[i]!.Size),
                _ => (1, 0),
            };
        });
        _slots = [.. Layout.Slots];
    }

    /// <summary>The id table (vocabulary or hash) of a sparse, multi-hot or sequence feature.</summary>
    public IdTable? IdTableOf(string feature) => _ids[IndexOrThrow(feature)];
    /// <summary>The fitted scaler of a dense feature.</summary>
    public DenseScaler? ScalerOf(string feature) => _scalers[IndexOrThrow(feature)];
    /// <summary>The quantile buckets of a bucketized feature.</summary>
    public QuantileBuckets? BucketsOf(string feature) => _buckets[IndexOrThrow(feature)];
    /// <summary>The MNS code of an MNS, similarity or LSH feature.</summary>
    public MnsCode? MnsOf(string feature) => _mns[IndexOrThrow(feature)];

    private int IndexOrThrow(string feature)
    {
        int i = Schema.IndexOf(feature);
        return i >= 0 ? i : throw new KeyNotFoundException($"no feature named '{feature}'.");
    }

    /// <summary>
    /// Encodes one sample. Throws <see cref="FormatException"/> naming the feature when a value cannot be read
    /// (readers add file and line). Allocation-free for text, numbers and vectors.
    /// </summary>
    public void EncodeRow(RawRow row, EncodedRow output)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            var f = slot.Feature;
            switch (f.Kind)
            {
                case FeatureKind.Sparse:
                    output.Sparse[slot.Offset] = EncodeId(i, row);
                    break;
                case FeatureKind.Dense:
                    output.Dense[slot.Offset] = _scalers[i]!.Apply((float)NumberOf(i, row));
                    break;
                case FeatureKind.Bucketized:
                    output.Sparse[slot.Offset] = _buckets[i]!.Encode((float)NumberOf(i, row));
                    break;
                case FeatureKind.Mns:
                    {
                        double x = NumberOf(i, row);
                        var dst = output.Sparse.AsSpan(slot.Offset, slot.Width);
                        if (double.IsNaN(x)) _mns[i]!.EncodeMissing(dst);
                        else _mns[i]!.Encode((long)Math.Round((x - f.MnsOffset) * f.MnsScale), dst);
                        break;
                    }
                case FeatureKind.EmbeddingSimilarity:
                    {
                        var dst = output.Sparse.AsSpan(slot.Offset, slot.Width);
                        float[]? a = row.Vector[i], b = row.Vector2[i];
                        if (a is null || b is null) { _mns[i]!.EncodeMissing(dst); break; }
                        if (a.Length != f.VectorDim || b.Length != f.VectorDim)
                            throw new FormatException($"feature '{f.Name}': vectors have lengths {a.Length} and {b.Length}, expected {f.VectorDim}.");
                        float cos = SimHashLsh.Cosine(a, b);
                        // Tencent §3.3: the similarity is an ordinal value; [-1, 1] maps linearly onto 0..MnsMax.
                        _mns[i]!.Encode((long)Math.Round((cos + 1) * 0.5 * f.MnsMax), dst);
                        break;
                    }
                case FeatureKind.LshHashId:
                    {
                        var dst = output.Sparse.AsSpan(slot.Offset, slot.Width);
                        float[]? v = row.Vector[i];
                        if (v is null) { _mns[i]!.EncodeMissing(dst); break; }
                        if (v.Length != f.VectorDim)
                            throw new FormatException($"feature '{f.Name}': vector has length {v.Length}, expected {f.VectorDim}.");
                        _mns[i]!.Encode(_lsh[i]!.Code(v), dst);
                        break;
                    }
                case FeatureKind.MultiHot or FeatureKind.Sequence:
                    EncodeList(i, row, output, slot.Offset);
                    break;
            }
        }
    }

    /// <summary>
    /// Serving entry point: fills <paramref name="scratch"/> from a request's column → value map (strings, numbers,
    /// id lists, float vectors; see <see cref="RawRow.Set"/>) and encodes it with <see cref="EncodeRow"/>.
    /// </summary>
    public void EncodeRequest(IReadOnlyDictionary<string, object?> request, RawRow scratch, EncodedRow output)
    {
        scratch.Clear();
        foreach (var (column, value) in request) scratch.Set(column, value);
        EncodeRow(scratch, output);
    }

    private int EncodeId(int i, RawRow row)
    {
        string? t = row.Text[i];
        if (t is not null) return _ids[i]!.Encode(t);
        double x = row.Number[i];
        if (double.IsNaN(x)) return 0;
        Span<char> buf = stackalloc char[32];
        x.TryFormat(buf, out int n, default, CultureInfo.InvariantCulture);
        return _ids[i]!.Encode(buf[..n]);
    }

    private double NumberOf(int i, RawRow row)
    {
        double x = row.Number[i];
        if (!double.IsNaN(x)) return x;
        string? t = row.Text[i];
        if (string.IsNullOrEmpty(t)) return double.NaN;
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out x)) return x;
        throw new FormatException($"feature '{Schema.Features[i].Name}': '{t}' is not a number.");
    }

    private void EncodeList(int i, RawRow row, EncodedRow output, int column)
    {
        var f = Schema.Features[i];
        var ids = output.VarLen[column];
        var times = output.VarLenTime[column];
        string? text = row.Text[i];
        int n = 0;
        if (!string.IsNullOrEmpty(text))
        {
            var table = _ids[i]!;
            // Sequences keep the newest MaxLength items (the tail, newest last); multi-hot keeps the first MaxLength.
            bool sequence = f.Kind == FeatureKind.Sequence;
            int total = sequence ? CountParts(text, f.Separator) : 0;
            int skip = sequence ? Math.Max(0, total - f.MaxLength) : 0;
            int k = 0;
            foreach (var range in text.AsSpan().Split(f.Separator))
            {
                if (k++ < skip) continue;
                if (n == f.MaxLength) break;
                ids[n++] = table.Encode(text.AsSpan(range));
            }
            string? ts = row.Text2[i];
            if (sequence && ts is not null)
            {
                if (CountParts(ts, f.Separator) != total)
                    throw new FormatException($"feature '{f.Name}': {total} ids but {CountParts(ts, f.Separator)} timestamps.");
                int m = 0; k = 0;
                foreach (var range in ts.AsSpan().Split(f.Separator))
                {
                    if (k++ < skip) continue;
                    if (m == n) break;
                    if (!long.TryParse(ts.AsSpan(range), NumberStyles.Integer, CultureInfo.InvariantCulture, out times[m++]))
                        throw new FormatException($"feature '{f.Name}': timestamp '{ts.AsSpan(range)}' is not an integer.");
                }
            }
            else Array.Clear(times, 0, n);
        }
        output.VarLenLength[column] = n;
    }

    private static int CountParts(string text, string sep)
    {
        int c = 1, p = 0;
        while ((p = text.IndexOf(sep, p, StringComparison.Ordinal)) >= 0) { c++; p += sep.Length; }
        return c;
    }
}

/// <summary>An id encoder: a fitted vocabulary or a hash into buckets. Id 0 is missing/OOV.</summary>
public sealed class IdTable
{
    /// <summary>The vocabulary (null when hashed).</summary>
    public Vocabulary? Vocabulary { get; }
    /// <summary>Hash buckets (0 when a vocabulary is used).</summary>
    public int HashBuckets { get; }

    /// <summary>A vocabulary-backed table.</summary>
    public IdTable(Vocabulary vocabulary) => Vocabulary = vocabulary;
    /// <summary>A hash-backed table with ids 1..buckets.</summary>
    public IdTable(int hashBuckets) => HashBuckets = hashBuckets > 0 ? hashBuckets : throw new ArgumentOutOfRangeException(nameof(hashBuckets));

    /// <summary>Rows of the embedding table, including row 0.</summary>
    public int Size => Vocabulary?.Size ?? HashBuckets + 1;

    /// <summary>Id of a value (0 for empty/OOV).</summary>
    public int Encode(ReadOnlySpan<char> value)
        => value.IsEmpty ? 0 : Vocabulary is not null ? Vocabulary.Encode(value) : StableHash.Bucket(value, HashBuckets);
}
