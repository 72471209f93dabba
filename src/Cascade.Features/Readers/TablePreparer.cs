using System.Globalization;
using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

/// <summary>Generic table splits, encoder and the reader reports.</summary>
/// <param name="Train">Rows the model trains on (encoders fitted on these only).</param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Test rows.</param>
/// <param name="Encoder">Fitted encoder.</param>
/// <param name="Reports">What each reader read and skipped.</param>
public sealed record PreparedTable(ColumnarDataset Train, ColumnarDataset Validation, ColumnarDataset Test, SchemaEncoder Encoder,
    IReadOnlyList<ReadReport> Reports)
{
    /// <summary>The <see cref="RawTable"/> row of each <see cref="Test"/> row, in dataset order (to join columns the
    /// encoder does not read, such as a simulator's ground truth, onto exactly the evaluated rows).</summary>
    public IReadOnlyList<int> TestRows { get; init; } = [];
}

/// <summary>
/// Turns a <see cref="RawTable"/> into encoded splits: a seeded random test fraction (or, when the schema has a
/// timestamp column and a temporal split is asked for, the newest rows), a random validation fraction of the rest,
/// encoders fitted on the training rows only, every row encoded through <see cref="SchemaEncoder.EncodeRow"/>.
/// </summary>
public static class TablePreparer
{
    /// <summary>Prepares the splits.</summary>
    public static PreparedTable Prepare(DatasetSchema schema, RawTable table, ulong seed = 42, double testFraction = 0.2,
        double validationFraction = 0.1, bool temporal = false)
    {
        int n = table.Rows.Count;
        int labelCol = table.IndexOf(schema.Label), weightCol = schema.Weight is null ? -1 : table.IndexOf(schema.Weight);
        int userCol = schema.UserKey is null ? -1 : table.IndexOf(schema.UserKey), timeCol = schema.Timestamp is null ? -1 : table.IndexOf(schema.Timestamp);
        int sourceCol = schema.SourceTag is null ? -1 : table.IndexOf(schema.SourceTag);
        var first = new int[schema.Features.Count]; var second = new int[schema.Features.Count];
        for (int i = 0; i < first.Length; i++)
        {
            first[i] = table.IndexOf(schema.Features[i].SourceColumn);
            second[i] = schema.Features[i].SecondSource is { } s ? table.IndexOf(s) : -1;
        }
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (temporal)
        {
            if (timeCol < 0) throw new ArgumentException("a temporal split needs 'timestamp:' in the schema's dataset section.");
            var keys = table.Rows.Select(r => long.TryParse(r[timeCol], CultureInfo.InvariantCulture, out long t) ? t : 0).ToArray();
            Array.Sort(keys, order);
        }
        else new FeatureRng(seed).Shuffle(order.AsSpan());
        int nTest = (int)Math.Ceiling(testFraction * n);
        int[] test = temporal ? order[(n - nTest)..] : order[..nTest];
        int[] rest = temporal ? order[..(n - nTest)] : order[nTest..];
        var restShuffled = (int[])rest.Clone();
        new FeatureRng(seed ^ 0xA5A5A5A5UL).Shuffle(restShuffled.AsSpan());
        int nVal = (int)(validationFraction * rest.Length);
        var val = restShuffled[..nVal]; var fit = restShuffled[nVal..];
        Array.Sort(val); Array.Sort(fit);
        var users = new Dictionary<string, int>();
        var row = new RawRow(schema);
        RawRow Fill(int r)
        {
            var values = table.Rows[r];
            row.Clear();
            for (int i = 0; i < first.Length; i++)
            {
                var f = schema.Features[i];
                if (f.Kind is FeatureKind.EmbeddingSimilarity or FeatureKind.LshHashId)
                {
                    row.SetVector(i, ParseVector(values[first[i]], f, r));
                    if (second[i] >= 0) row.SetVector2(i, ParseVector(values[second[i]], f, r));
                }
                else
                {
                    row.SetText(i, values[first[i]]);
                    if (second[i] >= 0) row.SetTimestamps(i, values[second[i]]);
                }
            }
            string? y = values[labelCol];
            if (!double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out double label))
                throw new FormatException($"row {r + 1}: label column '{schema.Label}' holds '{y}', not a number.");
            row.Label = schema.LabelThreshold is { } th ? (label > th ? 1 : 0) : (float)label;
            if (weightCol >= 0 && float.TryParse(values[weightCol], NumberStyles.Float, CultureInfo.InvariantCulture, out float w)) row.Weight = w;
            if (userCol >= 0 && values[userCol] is { } u)
            {
                if (!users.TryGetValue(u, out int id)) users[u] = id = users.Count;
                row.UserId = id;
            }
            if (timeCol >= 0 && long.TryParse(values[timeCol], CultureInfo.InvariantCulture, out long t)) row.Timestamp = t;
            if (sourceCol >= 0) row.Source = ParseSource(values[sourceCol], schema.SourceTag!, r);
            return row;
        }
        string file = table.Reports.Count > 0 ? table.Reports[0].File : "<table>";
        void Each(int[] rows, Action<RawRow> use)
        {
            foreach (int r in rows)
            {
                try { use(Fill(r)); }
                catch (FormatException e) { throw new FormatException($"{file}: data row {r + 1}: {e.Message}", e); }
            }
        }
        var fitter = new SchemaEncoderFitter(schema);
        Each(fit, row => fitter.Observe(row));
        var encoder = fitter.Build();
        ColumnarDataset Build(int[] rows)
        {
            var b = new ColumnarDatasetBuilder(encoder);
            Each(rows, b.Add);
            return b.Build();
        }
        return new PreparedTable(Build(fit), Build(val), Build(test), encoder, table.Reports) { TestRows = test };
    }

    private static SampleSource ParseSource(string? text, string column, int row) => text?.Trim().ToLowerInvariant() switch
    {
        "retrieval" or "0" => SampleSource.Retrieval,
        "ranking" or "1" => SampleSource.Ranking,
        "exposure" or "2" or "" or null => SampleSource.Exposure,
        _ => throw new FormatException($"row {row + 1}: source-tag column '{column}' holds '{text}'; use retrieval, ranking or exposure (or 0, 1, 2)."),
    };

    private static float[]? ParseVector(string? text, FeatureSpec f, int row)
    {
        if (string.IsNullOrEmpty(text)) return null;
        // Vectors are numbers separated by spaces or by the feature's list separator ('|' by default, as the simulator writes).
        var parts = text.Split([" ", f.Separator], StringSplitOptions.RemoveEmptyEntries);
        var v = new float[parts.Length];
        for (int i = 0; i < v.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new FormatException($"row {row + 1}: feature '{f.Name}': '{parts[i]}' in the vector is not a number.");
        return v;
    }
}
