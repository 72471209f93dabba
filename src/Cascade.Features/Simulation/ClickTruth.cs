using System.Globalization;
using Cascade.Features.Readers;

namespace Cascade.Features.Simulation;

/// <summary>
/// The exact probability with which the simulator drew each sample's <c>click</c> label, for oracle metrics: the AUC
/// of this probability on a set of rows is the best AUC any model can expect on them (the Bayes-optimal score).
/// <code>
/// P(click) = true_ctr · PositionBias(position)   for exposure rows (position 1..Slots; PositionBias(1) = 1)
/// P(click) = 0                                    for ranking and retrieval rows (never shown, never clicked)
/// </code>
/// Read the samples with <see cref="ReadOptions.KeepColumns"/> = <see cref="Columns"/> so that the table keeps them.
/// </summary>
public static class ClickTruth
{
    /// <summary>The samples.csv columns the probability is computed from.</summary>
    public static readonly IReadOnlyList<string> Columns = ["source", "position", "true_ctr"];

    /// <summary>Click probability of one row: <c>trueCtr · PositionBias(position)</c> when shown, else 0.</summary>
    /// <param name="source">The row's source tag: exposure, ranking or retrieval.</param>
    /// <param name="position">1-based slot of an exposure (ignored otherwise).</param>
    /// <param name="trueCtr">Ground-truth CTR at position 1.</param>
    public static double Probability(string source, int position, double trueCtr) => source switch
    {
        "exposure" when position >= 1 => trueCtr * MarketSimulator.PositionBias(position),
        "exposure" => throw new ArgumentOutOfRangeException(nameof(position), position, "an exposure row needs a position ≥ 1."),
        "ranking" or "retrieval" => 0,
        _ => throw new ArgumentException($"source '{source}' is not exposure, ranking or retrieval.", nameof(source)),
    };

    /// <summary>
    /// Click probabilities of <paramref name="rows"/> of <paramref name="table"/> (e.g. <see cref="PreparedTable.TestRows"/>),
    /// in that order. Throws <see cref="FormatException"/> naming the data row and column of a missing or bad value.
    /// </summary>
    public static float[] ForRows(RawTable table, IReadOnlyList<int> rows)
    {
        int source = Column(table, "source"), position = Column(table, "position"), trueCtr = Column(table, "true_ctr");
        var p = new float[rows.Count];
        for (int k = 0; k < p.Length; k++)
        {
            var row = table.Rows[rows[k]];
            string src = row[source] ?? throw Bad(rows[k], "source", null, "exposure, ranking or retrieval");
            if (!int.TryParse(row[position], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pos))
                throw Bad(rows[k], "position", row[position], "an integer");
            if (!double.TryParse(row[trueCtr], NumberStyles.Float, CultureInfo.InvariantCulture, out double ctr) || ctr is < 0 or > 1)
                throw Bad(rows[k], "true_ctr", row[trueCtr], "a probability in [0, 1]");
            try { p[k] = (float)Probability(src, pos, ctr); }
            catch (ArgumentException e) { throw new FormatException($"samples data row {rows[k] + 1}: {e.Message}", e); }
        }
        return p;
    }

    private static int Column(RawTable table, string name)
    {
        int i = table.IndexOf(name);
        return i >= 0 ? i : throw new ArgumentException(
            $"the samples table has no '{name}' column; read it with ReadOptions.KeepColumns = ClickTruth.Columns (kept: {string.Join(", ", table.Columns)}).");
    }

    private static FormatException Bad(int row, string column, string? value, string expected)
        => new($"samples data row {row + 1}, column '{column}': '{value}' is not {expected}.");
}
