using System.Globalization;
using System.Security;
using System.Text;

namespace Cascade.Training.Reports;

/// <summary>One line of a plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (NaN points are skipped).</param>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A small standalone SVG line plot: axes with 5 ticks each, one polyline and point markers per series, a legend.
/// Enough for learning curves a person opens in a browser; no dependencies.
/// </summary>
public static class SvgLinePlot
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
    private const double Width = 640, Height = 400, Left = 70, Right = 20, Top = 40, Bottom = 50;

    /// <summary>Renders the plot as an SVG document.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        double x0 = points.Count > 0 ? points.Min(p => p.First) : 0, x1 = points.Count > 0 ? points.Max(p => p.First) : 1;
        double y0 = points.Count > 0 ? points.Min(p => p.Second) : 0, y1 = points.Count > 0 ? points.Max(p => p.Second) : 1;
        if (x1 - x0 < 1e-12) { x0 -= 0.5; x1 += 0.5; }
        if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad; y1 += pad;
        double pw = Width - Left - Right, ph = Height - Top - Bottom;
        double Sx(double x) => Left + (x - x0) / (x1 - x0) * pw;
        double Sy(double y) => Top + (1 - (y - y0) / (y1 - y0)) * ph;
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(Width)}\" height=\"{N(Height)}\" viewBox=\"0 0 {N(Width)} {N(Height)}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect width=\"{N(Width)}\" height=\"{N(Height)}\" fill=\"white\"/>\n");
        sb.Append($"<text x=\"{N(Width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{E(title)}</text>\n");
        sb.Append($"<line x1=\"{N(Left)}\" y1=\"{N(Top + ph)}\" x2=\"{N(Left + pw)}\" y2=\"{N(Top + ph)}\" stroke=\"black\"/>\n");
        sb.Append($"<line x1=\"{N(Left)}\" y1=\"{N(Top)}\" x2=\"{N(Left)}\" y2=\"{N(Top + ph)}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 4; i++)
        {
            double xv = x0 + (x1 - x0) * i / 4, yv = y0 + (y1 - y0) * i / 4;
            sb.Append($"<line x1=\"{N(Sx(xv))}\" y1=\"{N(Top + ph)}\" x2=\"{N(Sx(xv))}\" y2=\"{N(Top + ph + 5)}\" stroke=\"black\"/>");
            sb.Append($"<text x=\"{N(Sx(xv))}\" y=\"{N(Top + ph + 18)}\" text-anchor=\"middle\">{Tick(xv)}</text>\n");
            sb.Append($"<line x1=\"{N(Left - 5)}\" y1=\"{N(Sy(yv))}\" x2=\"{N(Left + pw)}\" y2=\"{N(Sy(yv))}\" stroke=\"#ddd\"/>");
            sb.Append($"<text x=\"{N(Left - 8)}\" y=\"{N(Sy(yv) + 4)}\" text-anchor=\"end\">{Tick(yv)}</text>\n");
        }
        sb.Append($"<text x=\"{N(Left + pw / 2)}\" y=\"{N(Height - 10)}\" text-anchor=\"middle\">{E(xLabel)}</text>\n");
        sb.Append($"<text x=\"16\" y=\"{N(Top + ph / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {N(Top + ph / 2)})\">{E(yLabel)}</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            var pts = series[s].X.Zip(series[s].Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
            if (pts.Count > 0)
            {
                sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
                sb.AppendJoin(' ', pts.Select(p => $"{N(Sx(p.First))},{N(Sy(p.Second))}"));
                sb.Append("\"/>\n");
                foreach (var p in pts) sb.Append($"<circle cx=\"{N(Sx(p.First))}\" cy=\"{N(Sy(p.Second))}\" r=\"3\" fill=\"{color}\"/>");
                sb.Append('\n');
            }
            double ly = Top + 14 + 16 * s;
            sb.Append($"<line x1=\"{N(Left + pw - 150)}\" y1=\"{N(ly - 4)}\" x2=\"{N(Left + pw - 130)}\" y2=\"{N(ly - 4)}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            sb.Append($"<text x=\"{N(Left + pw - 125)}\" y=\"{N(ly)}\">{E(series[s].Name)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Tick(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0)
        ? v.ToString("0.##E0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string E(string s) => SecurityElement.Escape(s) ?? "";
}
