namespace Cascade.Features.Readers;

/// <summary>
/// Rows of text values for the columns a schema needs (feature sources, label, weight, user key, timestamp), as read
/// by <see cref="TableReaders"/>. Columns a schema does not use are not kept.
/// </summary>
public sealed class RawTable
{
    /// <summary>Kept column names.</summary>
    public string[] Columns { get; }
    /// <summary>Rows: one value per kept column (null when absent).</summary>
    public List<string?[]> Rows { get; } = [];
    /// <summary>Reader reports (one per file read).</summary>
    public List<ReadReport> Reports { get; } = [];

    /// <summary>Named counts of notable events (e.g. Taobao samples whose ad has no ad_feature row).</summary>
    public Dictionary<string, long> Counters { get; } = [];

    /// <summary>Creates an empty table.</summary>
    public RawTable(string[] columns) => Columns = columns;

    /// <summary>Index of a kept column, or −1.</summary>
    public int IndexOf(string column) => Array.IndexOf(Columns, column);
}
