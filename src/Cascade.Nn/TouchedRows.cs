namespace Cascade.Nn;

/// <summary>
/// The distinct rows of an embedding table that received gradient since the last clear, in first-touch order.
/// Marking is O(ids) with a membership mask, and the storage is sized once for the table, so tracking allocates
/// nothing per step (a 100k-row table costs 100 KB of mask and 400 KB of row list).
/// </summary>
public sealed class TouchedRows
{
    private readonly bool[] _mask;
    private readonly int[] _rows;
    private int _count;

    /// <summary>Creates an empty set for a table of <paramref name="rowCount"/> rows.</summary>
    public TouchedRows(int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        _mask = new bool[rowCount];
        _rows = new int[rowCount];
    }

    /// <summary>Number of rows in the table.</summary>
    public int RowCount => _mask.Length;

    /// <summary>Number of distinct touched rows.</summary>
    public int Count => _count;

    /// <summary>The touched rows (distinct, first-touch order); valid until the next mark or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>Whether <paramref name="row"/> was touched.</summary>
    public bool Contains(int row) => _mask[row];

    /// <summary>Adds every id except <paramref name="paddingId"/> (−1 for none); ids must be in [0, RowCount).</summary>
    public void Mark(ReadOnlySpan<int> ids, int paddingId)
    {
        foreach (int id in ids)
        {
            if (id == paddingId || _mask[id]) continue;
            _mask[id] = true;
            _rows[_count++] = id;
        }
    }

    /// <summary>Adds one row.</summary>
    public void Mark(int row)
    {
        if (_mask[row]) return;
        _mask[row] = true;
        _rows[_count++] = row;
    }

    /// <summary>Empties the set in O(touched).</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++) _mask[_rows[i]] = false;
        _count = 0;
    }
}
