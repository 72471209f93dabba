namespace Cascade.Tensors;

/// <summary>
/// The distinct rows of a (V, D) embedding table whose gradient sparse lookups (<see cref="Ops.Embedding"/>,
/// <see cref="Ops.EmbeddingBag"/>) have written since the last <see cref="Tensor.ZeroGrad"/>, so that a lazy
/// sparse optimizer updates (and ZeroGrad clears) only those rows: with V = 10⁶ and a batch touching 10⁴ rows
/// that is 100× less work than a dense step.
/// </summary>
/// <remarks>
/// <para>Lifecycle: a leaf table gets its set on its first embedding lookup (<see cref="Tensor.TouchedRows"/> is
/// null before). Embedding backward adds the looked-up rows (padding ids excluded, each row once, in first-touch
/// order). Any dense gradient write into the same tensor (a MatMul with the table as tied output weights, a
/// reshape, any other op) sets <see cref="All"/>: the gradient may then be nonzero anywhere and the optimizer must
/// take a dense step. <see cref="Tensor.ZeroGrad"/> zeroes only the listed rows when <see cref="All"/> is false
/// (the whole gradient otherwise) and then clears the set.</para>
/// <para>Invariant: every row of the table's gradient that is not listed is exactly zero, unless <see cref="All"/>.</para>
/// <para>Memory: one bit per table row plus the list; Add is O(1).</para>
/// </remarks>
/// <example>
/// <code>
/// loss.Backward();
/// if (table.TouchedRows is { All: false } rows)
///     foreach (int r in rows.Rows) UpdateRow(table, r);   // lazy sparse step
/// else UpdateAllRows(table);                              // dense step
/// table.ZeroGrad();                                       // clears the touched rows and the set
/// </code>
/// </example>
public sealed class TouchedRows
{
    private readonly ulong[] _bits;
    private int[] _rows = new int[16];

    /// <summary>Creates an empty set over rows [0, <paramref name="rowCount"/>).</summary>
    public TouchedRows(int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        RowCount = rowCount;
        _bits = new ulong[(rowCount + 63) >> 6];
    }

    /// <summary>Number of rows of the table (V).</summary>
    public int RowCount { get; }

    /// <summary>Number of distinct rows recorded.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// True when a dense op also wrote the gradient since the last clear: any row may be nonzero and
    /// <see cref="Rows"/> is not the full story.
    /// </summary>
    public bool All { get; private set; }

    /// <summary>The distinct rows recorded, in first-touch order (valid until the next add or clear).</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>Whether <paramref name="row"/> was recorded (ignores <see cref="All"/>).</summary>
    public bool Contains(int row) => (uint)row < (uint)RowCount && (_bits[row >> 6] & (1UL << row)) != 0;

    /// <summary>Records one row (no-op if already present).</summary>
    public void Add(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside [0, {RowCount}).");
        ref ulong word = ref _bits[row >> 6];
        ulong bit = 1UL << row;
        if ((word & bit) != 0) return;
        word |= bit;
        if (Count == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
        _rows[Count++] = row;
    }

    /// <summary>Records every id except <paramref name="paddingId"/> (ids are already validated in range).</summary>
    public void AddRange(ReadOnlySpan<int> ids, int paddingId)
    {
        foreach (int id in ids) if (id != paddingId) Add(id);
    }

    /// <summary>Marks the gradient as densely written (see <see cref="All"/>).</summary>
    public void MarkAll() => All = true;

    /// <summary>Empties the set and resets <see cref="All"/>; O(<see cref="Count"/>) unless All.</summary>
    public void Clear()
    {
        if (All || Count > RowCount / 64) Array.Clear(_bits);
        else foreach (int r in Rows) _bits[r >> 6] = 0;
        Count = 0;
        All = false;
    }
}
