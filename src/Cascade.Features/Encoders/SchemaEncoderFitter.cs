using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

/// <summary>What a call to <see cref="SchemaEncoderFitter.Observe"/> fits.</summary>
[Flags]
public enum FitScope
{
    /// <summary>Vocabularies of id features.</summary>
    Ids = 1,
    /// <summary>Dense scalers and quantile buckets.</summary>
    Numeric = 2,
    /// <summary>Everything.</summary>
    All = Ids | Numeric,
}

/// <summary>
/// Collects training statistics row by row and builds a <see cref="SchemaEncoder"/>. Feed it the training split only
/// (the `inttower` protocol deliberately feeds other splits, see docs/data.md). Features sharing an embedding table
/// share one vocabulary fitted on all their values.
/// </summary>
public sealed class SchemaEncoderFitter
{
    private readonly DatasetSchema _schema;
    private readonly Dictionary<string, Vocabulary.Builder> _vocab = [];
    private readonly List<float>?[] _numeric;

    /// <summary>Creates a fitter; validates the schema first.</summary>
    public SchemaEncoderFitter(DatasetSchema schema)
    {
        var errors = SchemaLoader.Validate(schema);
        if (errors.Count > 0) throw new SchemaException(errors);
        _schema = schema;
        _numeric = new List<float>?[schema.Features.Count];
        for (int i = 0; i < schema.Features.Count; i++)
        {
            var f = schema.Features[i];
            if (f.Kind is FeatureKind.Dense or FeatureKind.Bucketized) _numeric[i] = [];
            if (f.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence && f.Encoding == IdEncoding.Vocabulary)
                _vocab.TryAdd(f.Table, new Vocabulary.Builder());
        }
    }

    /// <summary>Adds one training row's values to the statistics named by <paramref name="scope"/>.</summary>
    public void Observe(RawRow row, FitScope scope = FitScope.All)
    {
        Span<char> buf = stackalloc char[32];
        for (int i = 0; i < _schema.Features.Count; i++)
        {
            var f = _schema.Features[i];
            if ((scope & FitScope.Numeric) != 0 && _numeric[i] is { } list)
            {
                double x = row.Number[i];
                if (double.IsNaN(x) && !string.IsNullOrEmpty(row.Text[i]))
                {
                    if (!double.TryParse(row.Text[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out x))
                        throw new FormatException($"feature '{f.Name}': '{row.Text[i]}' is not a number.");
                }
                list.Add((float)x);
            }
            if ((scope & FitScope.Ids) != 0 && _vocab.TryGetValue(f.Table, out var b)
                && f.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence)
            {
                string? t = row.Text[i];
                if (t is null)
                {
                    if (!double.IsNaN(row.Number[i]))
                    {
                        row.Number[i].TryFormat(buf, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
                        b.Add(buf[..n]);
                    }
                }
                else if (f.Kind == FeatureKind.Sparse) b.Add(t);
                else foreach (var r in t.AsSpan().Split(f.Separator)) b.Add(t.AsSpan(r));
            }
        }
    }

    /// <summary>Builds the encoder from the statistics seen so far.</summary>
    public SchemaEncoder Build()
    {
        var tables = new Dictionary<string, IdTable>();
        var scalers = new DenseScaler?[_schema.Features.Count];
        var buckets = new QuantileBuckets?[_schema.Features.Count];
        for (int i = 0; i < _schema.Features.Count; i++)
        {
            var f = _schema.Features[i];
            if (f.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence && !tables.ContainsKey(f.Table))
            {
                tables[f.Table] = f.Encoding == IdEncoding.Hashed
                    ? new IdTable(f.HashBuckets)
                    : new IdTable(_vocab[f.Table].Build(MinCountOfTable(f.Table)));
            }
            if (f.Kind == FeatureKind.Dense) scalers[i] = DenseScaler.Fit(f.Transform, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_numeric[i]));
            if (f.Kind == FeatureKind.Bucketized) buckets[i] = QuantileBuckets.Fit(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_numeric[i]), f.NumBuckets);
        }
        return new SchemaEncoder(_schema, tables, scalers, buckets);
    }

    private int MinCountOfTable(string table)
        => _schema.Features.Where(f => f.Table == table).Max(f => f.MinCount);
}
