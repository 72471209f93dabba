using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Cascade.Features.Readers;

/// <summary>What a column must hold; checked on every line before the row reaches the caller.</summary>
public enum ColumnType
{
    /// <summary>Any text (may be empty).</summary>
    Text,
    /// <summary>A non-empty text.</summary>
    NonEmpty,
    /// <summary>A 64-bit integer.</summary>
    Int,
    /// <summary>An integer or empty (Criteo's missing counts).</summary>
    OptionalInt,
    /// <summary>A finite float.</summary>
    Float,
    /// <summary>0 or 1.</summary>
    Binary,
    /// <summary>Hexadecimal or empty (Criteo's hashed categories).</summary>
    OptionalHex,
}

/// <summary>A delimited text format: separator, column names and types, header handling and text encoding.</summary>
/// <param name="Name">Format name used in messages.</param>
/// <param name="Separator">Field separator ("," "\t" "::").</param>
/// <param name="Columns">Column names.</param>
/// <param name="Types">Column types (same length as Columns).</param>
/// <param name="Header">Whether the first line is a header; when true it must equal the column names.</param>
/// <param name="Latin1">Decode as ISO-8859-1 instead of UTF-8 (MovieLens movies.dat).</param>
/// <param name="AllowFewer">Accept lines with fewer columns than declared, down to this many (0 = exact).</param>
public sealed record DelimitedFormat(string Name, string Separator, string[] Columns, ColumnType[] Types, bool Header,
    bool Latin1 = false, int AllowFewer = 0);

/// <summary>One parsed line handed to the caller; valid only during the callback.</summary>
public sealed class DelimitedRecord
{
    internal string LineText = "";
    internal readonly List<Range> Fields = [];
    /// <summary>1-based line number.</summary>
    public long LineNumber { get; internal set; }
    /// <summary>Number of fields on this line.</summary>
    public int FieldCount => Fields.Count;
    /// <summary>Field i as a span.</summary>
    public ReadOnlySpan<char> Span(int i) => LineText.AsSpan(Fields[i]);
    /// <summary>Field i as a new string.</summary>
    public string String(int i) => LineText[Fields[i]];
    /// <summary>Field i as an integer (already validated for Int columns).</summary>
    public long Int(int i) => long.Parse(Span(i), NumberStyles.Integer, CultureInfo.InvariantCulture);
    /// <summary>Field i as a double; NaN when empty.</summary>
    public double Double(int i) => Span(i).IsEmpty ? double.NaN : double.Parse(Span(i), NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>
/// Streams a delimited file (plain or .gz, detected by the gzip magic bytes), validates every field against its
/// <see cref="ColumnType"/>, and calls back once per good line. A malformed line throws
/// <see cref="DataFormatException"/> (file, line, column, expected format) or, with SkipBadLines, is counted in the
/// <see cref="ReadReport"/>. Nothing is dropped silently.
/// </summary>
public static class DelimitedReader
{
    /// <summary>Opens a file for text reading, decompressing gzip when the file starts with 1f 8b.</summary>
    public static StreamReader OpenText(string path, bool latin1 = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file '{path}' not found.", path);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int n = fs.Read(magic);
        fs.Position = 0;
        Stream s = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(fs, CompressionMode.Decompress) : fs;
        return new StreamReader(s, latin1 ? Encoding.Latin1 : new UTF8Encoding(false, true), false, 1 << 16);
    }

    /// <summary>Reads <paramref name="path"/> in <paramref name="format"/>, calling <paramref name="onRow"/> per valid line.</summary>
    public static ReadReport Read(string path, DelimitedFormat format, ReadOptions options, Action<DelimitedRecord> onRow)
    {
        var report = new ReadReport { File = path };
        using var reader = OpenText(path, format.Latin1);
        var rec = new DelimitedRecord();
        long lineNo = 0;
        string? line;
        if (format.Header)
        {
            line = reader.ReadLine();
            lineNo++;
            if (line is null) throw new DataFormatException(path, 1, 0, null, $"a {format.Name} header '{string.Join(format.Separator, format.Columns)}'", "an empty file");
            Split(line, format.Separator, rec);
            for (int i = 0; i < format.Columns.Length; i++)
                if (i >= rec.Fields.Count || !line.AsSpan(rec.Fields[i]).Trim().SequenceEqual(format.Columns[i]))
                    throw new DataFormatException(path, 1, i + 1, format.Columns[i], $"header column '{format.Columns[i]}'",
                        i < rec.Fields.Count ? $"'{line[rec.Fields[i]]}'" : "the end of the line");
        }
        while (true)
        {
            try { line = reader.ReadLine(); }
            catch (DecoderFallbackException e)
            {
                throw new DataFormatException(path, lineNo + 1, 0, null, "UTF-8 text", $"invalid bytes ({e.Message})");
            }
            if (line is null) break;
            lineNo++;
            if (line.Length == 0) { report.Lines++; Bad(report, options, new DataFormatException(path, lineNo, 0, null, $"{format.Columns.Length} fields", "an empty line")); continue; }
            report.Lines++;
            Split(line, format.Separator, rec);
            rec.LineText = line; rec.LineNumber = lineNo;
            var error = Validate(path, lineNo, format, rec);
            if (error is not null) { Bad(report, options, error); continue; }
            try { onRow(rec); }
            catch (DataFormatException e) { Bad(report, options, e); continue; }
            report.Rows++;
        }
        return report;
    }

    private static void Bad(ReadReport report, ReadOptions options, DataFormatException e)
    {
        if (!options.SkipBadLines) throw e;
        report.BadLines++;
        if (report.Examples.Count < options.MaxExamples) report.Examples.Add(e.Message);
    }

    internal static void Split(string line, string sep, DelimitedRecord rec)
    {
        rec.Fields.Clear();
        rec.LineText = line;
        int start = 0;
        if (sep.Length == 1)
        {
            char c = sep[0];
            for (int i = line.IndexOf(c); i >= 0; i = line.IndexOf(c, start)) { rec.Fields.Add(start..i); start = i + 1; }
        }
        else
        {
            for (int i = line.IndexOf(sep, StringComparison.Ordinal); i >= 0; i = line.IndexOf(sep, start, StringComparison.Ordinal))
            { rec.Fields.Add(start..i); start = i + sep.Length; }
        }
        rec.Fields.Add(start..line.Length);
    }

    private static DataFormatException? Validate(string path, long lineNo, DelimitedFormat f, DelimitedRecord rec)
    {
        int n = rec.Fields.Count, want = f.Columns.Length;
        if (n > want || n < (f.AllowFewer > 0 ? f.AllowFewer : want))
            return new DataFormatException(path, lineNo, Math.Min(n, want) + 1, null,
                f.AllowFewer > 0 ? $"{f.AllowFewer}–{want} '{Printable(f.Separator)}'-separated fields ({string.Join(f.Separator, f.Columns)})" : $"{want} '{Printable(f.Separator)}'-separated fields ({string.Join(f.Separator, f.Columns)})",
                $"{n} fields");
        for (int i = 0; i < n; i++)
        {
            var s = rec.Span(i);
            bool ok = f.Types[i] switch
            {
                ColumnType.NonEmpty => !s.IsEmpty,
                ColumnType.Int => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                ColumnType.OptionalInt => s.IsEmpty || long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                ColumnType.Float => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d),
                ColumnType.Binary => s.Length == 1 && (s[0] == '0' || s[0] == '1'),
                ColumnType.OptionalHex => s.IsEmpty || long.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _),
                _ => true,
            };
            if (!ok)
                return new DataFormatException(path, lineNo, i + 1, f.Columns[i], Describe(f.Types[i]), s.IsEmpty ? "an empty field" : $"'{Truncate(s)}'");
        }
        return null;
    }

    private static string Describe(ColumnType t) => t switch
    {
        ColumnType.NonEmpty => "a non-empty value",
        ColumnType.Int => "an integer",
        ColumnType.OptionalInt => "an integer or an empty field",
        ColumnType.Float => "a finite number",
        ColumnType.Binary => "0 or 1",
        ColumnType.OptionalHex => "a hexadecimal id or an empty field",
        _ => "text",
    };

    private static string Printable(string sep) => sep == "\t" ? "\\t" : sep;
    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..40].ToString() + "…";
}
