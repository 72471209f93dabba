using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cascade.Serving.Load;

namespace Cascade.Cli.ServingCommands;

/// <summary>
/// `cascade loadtest`: open-loop (--qps) or closed-loop (--concurrency) load against /v1/recommend, optional bid
/// changes streamed to /v1/ads/events, and a QPS sweep that writes the HIT Figure 6 curve as SVG.
/// </summary>
internal static class LoadtestCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Server base URL.", DefaultValueFactory = _ => "http://127.0.0.1:8080/" };
        var qps = new Option<double>("--qps") { Description = "Open loop: requests per second.", DefaultValueFactory = _ => 200 };
        var concurrency = new Option<int>("--concurrency") { Description = "Closed loop with this many workers (overrides --qps)." };
        var duration = new Option<double>("--duration") { Description = "Seconds per run.", DefaultValueFactory = _ => 10 };
        var sweep = new Option<string?>("--sweep") { Description = "Comma-separated QPS list: one open-loop run each, plus an SVG (--svg)." };
        var svg = new Option<string>("--svg") { Description = "SVG path of the sweep.", DefaultValueFactory = _ => "loadtest-sweep.svg" };
        var bodies = new Option<string?>("--bodies") { Description = "File with one recommend JSON body per line (default: simulator users u0..u999)." };
        var events = new Option<double>("--events-per-second") { Description = "Bid changes per second sent during each run." };
        var ads = new Option<int>("--ads") { Description = "Bid changes pick ad ids 1..N.", DefaultValueFactory = _ => 2000 };
        var token = new Option<string?>("--admin-token") { Description = "Admin token for events (default: $CASCADE_ADMIN_TOKEN)." };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of the same load (rate or concurrency, and events) before each measured run, not counted: connections, JIT-compiled paths and the event path are warm. 0 measures a cold start.", DefaultValueFactory = _ => 3 };
        var latencyLog = new Option<string?>("--latency-log") { Description = "Write every measured request (scheduled_ms, latency_ms, status) as CSV; a sweep writes one file per rate (FILE with -qpsN before the extension)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (DESIGN.md §7)." };
        var cmd = new Command("loadtest", "Load-test a running server: achieved QPS, success rate, p50/p95/p99/p99.9, per-stage breakdown.")
        {
            url, qps, concurrency, duration, warmup, sweep, svg, bodies, events, ads, token, latencyLog, json,
        };
        cmd.SetAction(async (parse, cancellation) =>
        {
            // The generator shares the machine with the server it measures, so its own CPU counts against the target.
            // Socket completions run inline on the socket engine's thread instead of hopping to the thread pool: the
            // per-response work is a few microseconds, and the hop (a wake-up and context switch per response) cost
            // ~10 % of both cores at 1,000 req/s (docs/benchmarks.md). Read once, at the process's first socket use —
            // this process sends nothing before this line; an explicit setting in the environment wins.
            if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");
            try
            {
                var lines = parse.GetValue(bodies) is { } path ? File.ReadAllLines(path).Where(l => l.Length > 0).ToArray() : DefaultBodies();
                if (lines.Length == 0) throw new ArgumentException("--bodies: the file has no request bodies.");
                if (!(parse.GetValue(duration) > 0)) throw new ArgumentException($"--duration must be positive (got {parse.GetValue(duration)}).");
                if (!(parse.GetValue(warmup) >= 0)) throw new ArgumentException($"--warmup must be 0 or more seconds (got {parse.GetValue(warmup)}).");
                var plan = new LoadPlan(new Uri(parse.GetValue(url)!), lines, TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(events),
                    Enumerable.Range(1, Math.Max(1, parse.GetValue(ads))).Select(i => (long)i).ToArray(),
                    parse.GetValue(token) ?? Environment.GetEnvironmentVariable("CASCADE_ADMIN_TOKEN"), TimeSpan.FromSeconds(parse.GetValue(warmup)));
                string? log = parse.GetValue(latencyLog);
                void WriteLog(LoadReport r, bool perRate)
                {
                    if (log is null) return;
                    string path = perRate ? Path.Combine(Path.GetDirectoryName(log) ?? "", $"{Path.GetFileNameWithoutExtension(log)}-qps{r.TargetQps:0}{Path.GetExtension(log)}") : log;
                    using var w = new StreamWriter(path);
                    r.WriteSamplesCsv(w);
                    Console.Error.WriteLine($"wrote {path} ({r.Samples.Count} requests)");
                }
                if (plan.EventsPerSecond > 0 && plan.AdminToken is null) throw new ArgumentException("--events-per-second needs --admin-token or CASCADE_ADMIN_TOKEN.");
                using var gen = new LoadGenerator(plan);
                var reports = new List<LoadReport>();
                if (parse.GetValue(sweep) is { } list)
                {
                    foreach (var q in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)))
                    {
                        var r = await gen.RunOpenAsync(q, cancellation);
                        Console.Error.WriteLine(r.Summary());
                        WriteLog(r, perRate: true);
                        reports.Add(r);
                    }
                    File.WriteAllText(parse.GetValue(svg)!, LoadReport.SweepSvg(reports, "Response time and success rate vs QPS (cascade serve, this machine)"));
                    Console.Error.WriteLine($"wrote {parse.GetValue(svg)}");
                }
                else
                {
                    var r = parse.GetValue(concurrency) > 0 ? await gen.RunClosedAsync(parse.GetValue(concurrency), cancellation) : await gen.RunOpenAsync(parse.GetValue(qps), cancellation);
                    Console.Error.WriteLine(r.Summary());
                    WriteLog(r, perRate: false);
                    reports.Add(r);
                }
                if (parse.GetValue(json)) Console.WriteLine(Json("loadtest", reports.SelectMany(r => r.Rows())));
                return reports.All(r => r.Errors == 0) ? 0 : 3;
            }
            catch (Exception e) when (e is ArgumentException or IOException or FormatException or UriFormatException)
            {
                Console.Error.WriteLine($"cascade loadtest: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }

    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static string[] DefaultBodies() =>
        Enumerable.Range(0, 1000).Select(i => $"{{\"features\": {{\"user_id\": \"{i}\", \"hour\": \"{i % 24}\", \"device\": \"{i % 4}\"}}}}").ToArray();

    /// <summary>The DESIGN.md §7 object.</summary>
    public static string Json(string command, IEnumerable<(string Case, string Metric, double Value, string Unit)> rows)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            w.WriteStartObject("machine");
            w.WriteString("cpu", System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString());
            w.WriteNumber("cores", Environment.ProcessorCount);
            w.WriteString("simd", System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256" : "Scalar");
            w.WriteEndObject();
            w.WriteStartArray("results");
            foreach (var (c, m, v, u) in rows)
            {
                w.WriteStartObject();
                w.WriteString("case", c); w.WriteString("metric", m);
                if (double.IsFinite(v)) w.WriteNumber("value", Math.Round(v, 4)); else w.WriteNull("value");
                w.WriteString("unit", u);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
