using System.Globalization;
using System.Text;
using Cascade.Nn.Checkpoints;

namespace Cascade.Training.Reproduction;

/// <summary>Markdown tables of reproduced rows beside the paper's figures, and sections of docs/reproduction.md kept between markers.</summary>
public static class ReproductionReport
{
    /// <summary>The table: model, #params, AUC mean ± std, logloss, RelaImpr, epochs, train time, paper AUC, difference.</summary>
    public static string Table(IReadOnlyList<VariantSummary> rows, string baseLabel)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"| row | model | #params | test AUC (mean ± std) | seeds | test logloss | RelaImpr vs {baseLabel} | best epoch / run | train s | paper AUC | Δ vs paper |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string rela = r.RelaImpr is { } x ? x.ToString("+0.00;-0.00", inv) + "%" : "–";
            string paper = r.PaperAuc is { } p ? p.ToString("F4", inv) : "–";
            string delta = r.PaperAuc is { } q ? (r.AucMean - q).ToString("+0.0000;-0.0000", inv) : "–";
            sb.AppendLine(string.Create(inv, $"| {r.Label} | {r.Model} | {r.Parameters:N0} | {r.AucMean:F4} ± {r.AucStd:F4} | {r.Runs} | {r.LogLossMean:F4} | {rela} | {r.EpochsMean:0.#} / {r.EpochsRunMean:0.#} | {r.TrainSecondsMean:F0} | {paper} | {delta} |"));
        }
        return sb.ToString();
    }

    /// <summary>
    /// Replaces the text between <c>&lt;!-- key:start --&gt;</c> and <c>&lt;!-- key:end --&gt;</c> in <paramref name="path"/>
    /// (appending the section when absent; creating the file when missing). Written atomically.
    /// </summary>
    public static void WriteSection(string path, string key, string markdown)
    {
        string start = $"<!-- {key}:start -->", end = $"<!-- {key}:end -->";
        string text = File.Exists(path) ? File.ReadAllText(path) : "# Reproduction\n";
        string block = $"{start}\n{markdown.TrimEnd()}\n{end}";
        int i = text.IndexOf(start, StringComparison.Ordinal), j = text.IndexOf(end, StringComparison.Ordinal);
        text = i >= 0 && j > i ? text[..i] + block + text[(j + end.Length)..] : text.TrimEnd() + "\n\n" + block + "\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicFile.Write(path, w => w.Write(bytes));
    }
}
