namespace Cascade.Features.Readers;

/// <summary>A malformed input line: names the file, line, column and the expected format.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>File path.</summary>
    public string File { get; }
    /// <summary>1-based line number.</summary>
    public long Line { get; }
    /// <summary>1-based column (field) number, 0 when the whole line is wrong.</summary>
    public int Column { get; }
    /// <summary>Name of the column, when known.</summary>
    public string? ColumnName { get; }
    /// <summary>What the reader expected.</summary>
    public string Expected { get; }

    /// <summary>Creates the exception.</summary>
    public DataFormatException(string file, long line, int column, string? columnName, string expected, string found)
        : base($"{file}:{line}: column {column}{(columnName is null ? "" : $" ({columnName})")}: expected {expected}, found {found}. " +
               "Fix the line or pass --skip-bad-lines to count and skip such lines.")
    {
        File = file; Line = line; Column = column; ColumnName = columnName; Expected = expected;
    }
}

/// <summary>Reader settings shared by every format.</summary>
/// <param name="SkipBadLines">Count and skip malformed lines instead of throwing on the first.</param>
/// <param name="MaxExamples">How many bad-line messages to keep for the report.</param>
public sealed record ReadOptions(bool SkipBadLines = false, int MaxExamples = 5)
{
    /// <summary>
    /// Columns to keep besides the schema's (every table format), e.g. a simulator's
    /// ground-truth <c>true_ctr</c> for an oracle metric; a missing one fails like a missing feature column.
    /// </summary>
    public IReadOnlyList<string> KeepColumns { get; init; } = [];
}

/// <summary>What a reader did: lines read, rows produced, bad lines skipped (with the first messages).</summary>
public sealed class ReadReport
{
    /// <summary>File read.</summary>
    public required string File { get; init; }
    /// <summary>Data lines read (excluding a header).</summary>
    public long Lines { get; set; }
    /// <summary>Rows produced.</summary>
    public long Rows { get; set; }
    /// <summary>Malformed lines skipped (only with SkipBadLines).</summary>
    public long BadLines { get; set; }
    /// <summary>The first bad-line messages.</summary>
    public List<string> Examples { get; } = [];

    /// <inheritdoc />
    public override string ToString()
        => $"{File}: {Lines:N0} lines, {Rows:N0} rows, {BadLines:N0} bad lines skipped" +
           (Examples.Count > 0 ? $" (first: {Examples[0]})" : "");
}
