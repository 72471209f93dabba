using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

/// <summary>
/// Reads the files of a schema's <c>format</c> into a <see cref="RawTable"/>: csv / tsv (header required, or
/// positional names c1..cN with <c>header: false</c>), amazon (<c>user,item,rating,timestamp</c>, with or without
/// header), criteo (label, I1..I13, C1..C26, tab), avazu (24-column CSV), taobao (a folder holding raw_sample.csv,
/// ad_feature.csv, user_profile.csv and optionally behavior_log.csv, joined; see <see cref="TaobaoReader"/>).
/// Every file may be gzip. A schema naming a column the format lacks fails with the list of available columns.
/// </summary>
public static class TableReaders
{
    /// <summary>Reads <paramref name="path"/> in the schema's format.</summary>
    public static RawTable Read(DatasetSchema schema, string path, ReadOptions? options = null)
    {
        options ??= new ReadOptions();
        switch (schema.Format)
        {
            case "criteo": return ReadDelimited(schema, path, Formats.Criteo, options);
            case "avazu": return ReadDelimited(schema, path, Formats.Avazu, options);
            case "amazon":
                {
                    using var r = DelimitedReader.OpenText(path);
                    string? first = r.ReadLine();
                    // A header line has 4 fields and neither a numeric rating nor an integer timestamp.
                    var parts = first?.Split(',') ?? [];
                    bool header = parts.Length == 4 && !double.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out _)
                                  && !long.TryParse(parts[3], System.Globalization.CultureInfo.InvariantCulture, out _);
                    var f = header ? Formats.AmazonRatings with { Header = true, Columns = first!.Split(',') } : Formats.AmazonRatings;
                    return ReadDelimited(schema, path, f, options);
                }
            case "taobao": return TaobaoReader.Read(schema, path, options);
            case "csv" or "tsv":
                {
                    string sep = schema.Format == "csv" ? "," : "\t";
                    using var r = DelimitedReader.OpenText(path);
                    string first = r.ReadLine() ?? throw new DataFormatException(path, 1, 0, null, "a header line", "an empty file");
                    string[] cols = schema.Header
                        ? first.Split(sep).Select(c => c.Trim()).ToArray()
                        : Enumerable.Range(1, first.Split(sep).Length).Select(i => $"c{i}").ToArray();
                    var f = new DelimitedFormat(schema.Format, sep, cols, Enumerable.Repeat(ColumnType.Text, cols.Length).ToArray(), schema.Header);
                    return ReadDelimited(schema, path, f, options);
                }
            default: throw new ArgumentException($"schema format '{schema.Format}' has no table reader (movielens uses `cascade data prepare`).");
        }
    }

    /// <summary>
    /// Columns a fixed format provides (null for csv/tsv, whose header decides); amazon lists both header spellings.
    /// </summary>
    public static IReadOnlyList<string>? KnownColumns(string format) => format switch
    {
        "movielens" => [.. MovieLensSchema.Columns, MovieLensSchema.HistoryTimes],
        "criteo" => Formats.Criteo.Columns,
        "avazu" => Formats.Avazu.Columns,
        "amazon" => [.. Formats.AmazonRatings.Columns, .. Formats.AmazonRatingsWithHeader.Columns],
        "taobao" => [.. Formats.TaobaoRawSample.Columns, .. Formats.TaobaoAdFeature.Columns.Skip(1), .. Formats.TaobaoUserProfile.Columns.Skip(1),
                     "hist_cate", "hist_brand", "hist_btag", "hist_time"],
        _ => null,
    };

    /// <summary>
    /// Checks a schema against its format's fixed columns (what <c>cascade schema check</c> adds to the YAML checks):
    /// every source, second source, label, weight, user key, timestamp and source tag must exist.
    /// </summary>
    public static IReadOnlyList<SchemaError> CheckColumns(DatasetSchema schema)
    {
        var known = KnownColumns(schema.Format);
        var errors = new List<SchemaError>();
        if (known is null) return errors;
        string file = schema.File ?? "<schema>";
        void Check(string? column, int line, string field)
        {
            if (column is not null && !known.Contains(column) && !(schema.Format == "movielens" && column == schema.Label))
                errors.Add(new SchemaError(file, line, 1, field, $"format '{schema.Format}' has no column '{column}'.",
                    $"use one of: {string.Join(", ", known)}."));
        }
        if (schema.Format != "movielens") Check(schema.Label, 1, "dataset.label");
        Check(schema.Weight, 1, "dataset.weight"); Check(schema.UserKey, 1, "dataset.user_key");
        Check(schema.Timestamp, 1, "dataset.timestamp"); Check(schema.SourceTag, 1, "dataset.source_tag");
        foreach (var f in schema.Features)
        {
            Check(f.SourceColumn, f.Line, $"feature '{f.Name}'.source");
            Check(f.SecondSource, f.Line, $"feature '{f.Name}'.second_source");
        }
        return errors;
    }

    /// <summary>Columns a schema reads.</summary>
    public static string[] NeededColumns(DatasetSchema schema)
    {
        var cols = new List<string> { schema.Label };
        foreach (var c in new[] { schema.Weight, schema.UserKey, schema.Timestamp, schema.SourceTag }) if (c is not null) cols.Add(c);
        foreach (var f in schema.Features)
        {
            cols.Add(f.SourceColumn);
            if (f.SecondSource is not null) cols.Add(f.SecondSource);
        }
        return cols.Distinct().ToArray();
    }

    /// <summary>Checks that every needed column exists; throws a <see cref="SchemaException"/> naming the feature otherwise.</summary>
    internal static int[] MapColumns(DatasetSchema schema, string[] needed, IReadOnlyList<string> available, string what)
    {
        var map = new int[needed.Length];
        var errors = new List<SchemaError>();
        for (int i = 0; i < needed.Length; i++)
        {
            map[i] = available.ToList().IndexOf(needed[i]);
            if (map[i] < 0)
            {
                var f = schema.Features.FirstOrDefault(x => x.SourceColumn == needed[i] || x.SecondSource == needed[i]);
                errors.Add(new SchemaError(schema.File ?? "<schema>", f?.Line ?? 1, 1, f is null ? "dataset" : $"feature '{f.Name}'",
                    $"column '{needed[i]}' does not exist in {what}.", $"use one of: {string.Join(", ", available)}."));
            }
        }
        if (errors.Count > 0) throw new SchemaException(errors);
        return map;
    }

    private static RawTable ReadDelimited(DatasetSchema schema, string path, DelimitedFormat f, ReadOptions options)
    {
        string[] needed = NeededColumns(schema).Concat(options.KeepColumns).Distinct().ToArray();
        int[] map = MapColumns(schema, needed, f.Columns, $"{f.Name} file '{path}'");
        var table = new RawTable(needed);
        table.Reports.Add(DelimitedReader.Read(path, f, options, r =>
        {
            var row = new string?[needed.Length];
            for (int i = 0; i < map.Length; i++) row[i] = map[i] < r.FieldCount ? r.String(map[i]) : null;
            table.Rows.Add(row);
        }));
        return table;
    }
}
