using System.Globalization;
using System.Text;

namespace Cascade.Serving.Load;

/// <summary>Result of one load run.</summary>
/// <param name="Mode">"open" (fixed arrival rate) or "closed" (fixed concurrency).</param>
/// <param name="TargetQps">Offered rate (open loop) or 0.</param>
/// <param name="Concurrency">Workers (closed loop) or 0.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Sent">Requests sent.</param>
/// <param name="Ok">Requests answered 200.</param>
/// <param name="Shed">Requests answered 429.</param>
/// <param name="Errors">Other answers and transport errors.</param>
/// <param name="LatencyMs">p50, p95, p99, p99.9 of all answered requests (ms, from the scheduled send time in open loop).</param>
/// <param name="StageMeanMs">Mean server-side time per stage (encode, retrieval, prerank, rank, auction, total) over 200 answers.</param>
/// <param name="EventsSent">Ad events accepted during the run.</param>
/// <param name="FreshnessP99Ms">Server-side event-to-visible p99 (ms, Prometheus bucket bound) at the end, or NaN.</param>
public sealed record LoadReport(string Mode, double TargetQps, int Concurrency, double Seconds, long Sent, long Ok, long Shed, long Errors,
    double[] LatencyMs, IReadOnlyDictionary<string, double> StageMeanMs, long EventsSent, double FreshnessP99Ms)
{
    /// <summary>Warm-up run before the measurement (s); its answers are not counted.</summary>
    public double WarmupSeconds { get; init; }
    /// <summary>Every request of the measured run in scheduled order (for a latency-over-time log).</summary>
    public IReadOnlyList<RequestSample> Samples { get; init; } = [];

    /// <summary>Answered-200 requests per second.</summary>
    public double AchievedQps => Seconds > 0 ? Ok / Seconds : 0;
    /// <summary>Share of sent requests answered 200.</summary>
    public double SuccessRate => Sent > 0 ? (double)Ok / Sent : 0;

    /// <summary>One human-readable line.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Mode} loop{(Mode == "open" ? $" target {TargetQps:0} qps" : $" concurrency {Concurrency}")}{(WarmupSeconds > 0 ? $" (after {WarmupSeconds:0.#} s warm-up)" : " (cold)")}: achieved {AchievedQps:0.0} qps, success {SuccessRate:P2} " +
        $"(429: {Shed}, errors: {Errors}), latency p50 {LatencyMs[0]:0.00} ms, p95 {LatencyMs[1]:0.00} ms, p99 {LatencyMs[2]:0.00} ms, p99.9 {LatencyMs[3]:0.00} ms; " +
        $"stages (mean ms) {string.Join(", ", StageMeanMs.Select(kv => $"{kv.Key} {kv.Value:0.000}"))}; events {EventsSent}, freshness p99 {FreshnessP99Ms:0.#} ms");

    /// <summary>
    /// Latency over time as CSV (scheduled_ms, latency_ms, status; one line per request in scheduled order): where in
    /// the run the slow answers were.
    /// </summary>
    public void WriteSamplesCsv(TextWriter w)
    {
        w.Write("scheduled_ms,latency_ms,status\n");
        foreach (var s in Samples) w.Write(string.Create(CultureInfo.InvariantCulture, $"{s.ScheduledMs:0.###},{s.LatencyMs:0.###},{s.Status}\n"));
    }

    /// <summary>The DESIGN.md §7 result rows of this run.</summary>
    public IEnumerable<(string Case, string Metric, double Value, string Unit)> Rows()
    {
        string c = Mode == "open" ? $"loadtest open qps={TargetQps:0}" : $"loadtest closed concurrency={Concurrency}";
        c = c.Replace(',', '.');
        yield return (c, "warmup_s", WarmupSeconds, "s");
        yield return (c, "qps", AchievedQps, "req/s");
        yield return (c, "success_rate", SuccessRate, "fraction");
        yield return (c, "p50_ms", LatencyMs[0], "ms");
        yield return (c, "p95_ms", LatencyMs[1], "ms");
        yield return (c, "p99_ms", LatencyMs[2], "ms");
        yield return (c, "p999_ms", LatencyMs[3], "ms");
        foreach (var (stage, ms) in StageMeanMs) yield return (c, $"{stage}_mean_ms", ms, "ms");
        if (EventsSent > 0) { yield return (c, "events", EventsSent, "events"); yield return (c, "freshness_p99_ms", FreshnessP99Ms, "ms"); }
    }

    /// <summary>
    /// SVG of p99/p50 response time (left axis) and success rate (right axis) against offered QPS: the HIT paper's
    /// Figure 6 for this machine.
    /// </summary>
    public static string SweepSvg(IReadOnlyList<LoadReport> runs, string title)
    {
        const double w = 640, h = 400, left = 60, right = 60, top = 40, bottom = 50;
        double maxQ = Math.Max(1, runs.Max(r => r.TargetQps)), maxL = Math.Max(1, runs.Max(r => r.LatencyMs[2])) * 1.1;
        double X(double q) => left + q / maxQ * (w - left - right);
        double YL(double ms) => h - bottom - ms / maxL * (h - top - bottom);
        double YS(double s) => h - bottom - s * (h - top - bottom);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{w / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{System.Security.SecurityElement.Escape(title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{h - bottom}\" x2=\"{w - right}\" y2=\"{h - bottom}\" stroke=\"black\"/>\n<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{h - bottom}\" stroke=\"black\"/>\n<line x1=\"{w - right}\" y1=\"{top}\" x2=\"{w - right}\" y2=\"{h - bottom}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 5; i++)
        {
            double q = maxQ * i / 5, ms = maxL * i / 5, s = i / 5.0;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(q)}\" y=\"{h - bottom + 16}\" text-anchor=\"middle\">{q:0}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{YL(ms) + 4}\" text-anchor=\"end\">{ms:0.#}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{w - right + 6}\" y=\"{YS(s) + 4}\">{s * 100:0}%</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{w / 2}\" y=\"{h - 12}\" text-anchor=\"middle\">offered load (requests/s)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{h / 2}\" transform=\"rotate(-90 16 {h / 2})\" text-anchor=\"middle\">response time (ms)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{w - 14}\" y=\"{h / 2}\" transform=\"rotate(90 {w - 14} {h / 2})\" text-anchor=\"middle\">success rate</text>\n");
        void Series(Func<LoadReport, double> y, string color, string label, int row)
        {
            var pts = string.Join(" ", runs.OrderBy(r => r.TargetQps).Select(r => string.Create(CultureInfo.InvariantCulture, $"{X(r.TargetQps):0.#},{y(r):0.#}")));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{pts}\"/>\n");
            foreach (var p in pts.Split(' ')) { var xy = p.Split(','); sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{color}\"/>\n"); }
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + 10}\" y=\"{top + 14 * row}\" fill=\"{color}\">{label}</text>\n");
        }
        Series(r => YL(r.LatencyMs[2]), "#d62728", "p99 response time (ms)", 1);
        Series(r => YL(r.LatencyMs[0]), "#ff9896", "p50 response time (ms)", 2);
        Series(r => YS(r.SuccessRate), "#1f77b4", "success rate", 3);
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
