using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Cascade.Cli.Bench;
using Cascade.Serving.Bundles;
using Cascade.Serving.Online;

namespace Cascade.Cli.ServingCommands;

/// <summary>
/// `cascade bench serving`: the cascade in process, without HTTP, on one thread: median milliseconds per stage, CPU
/// milliseconds per request (process CPU time over the timed requests, so GC and JIT background work count, and the
/// request thread's own CPU time, the robust figure on a loaded machine) and
/// bytes allocated per request on the calling thread. Requests are the load generator's default bodies (simulator
/// users u0..u999 with hour and device), so the figures line up with `cascade loadtest` runs on the same bundle.
/// </summary>
internal static class BenchServingCommand
{
    /// <summary>Creates the `serving` subcommand (registered under `bench`).</summary>
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "Bundle directory (cascade export).", Required = true };
        var config = new Option<string?>("--config") { Description = "Serving YAML (configs/serving/*.yaml); several comma-separated files are measured in turn." };
        var requests = new Option<int>("--requests") { Description = "Timed requests per config.", DefaultValueFactory = _ => 2000 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up requests per config.", DefaultValueFactory = _ => 300 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per config (interleaved across configs); the best round is reported.", DefaultValueFactory = _ => 3 };
        var retrievalOnly = new Option<bool>("--retrieval-only") { Description = "Time encode + retrieval only (no eligibility filter), to compare retrieval methods." };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." };
        var cmd = new Command("serving", "The serving cascade in process on one thread: ms per stage, CPU ms and allocated bytes per request.")
        {
            bundle, config, requests, warmup, rounds, retrievalOnly, json,
        };
        cmd.SetAction(parse =>
        {
            int n = parse.GetValue(requests), w = parse.GetValue(warmup), r = parse.GetValue(rounds);
            if (n < 1 || w < 0 || r < 1) { Console.Error.WriteLine("--requests ≥ 1, --warmup ≥ 0 and --rounds ≥ 1 are required."); return 2; }
            try
            {
                var loaded = Bundle.Load(parse.GetValue(bundle)!);
                var files = (parse.GetValue(config) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var engines = files.Length == 0
                    ? [("default", new CascadeEngine(loaded, new ServingOptions()))]
                    : files.Select(f => (Path.GetFileNameWithoutExtension(f), new CascadeEngine(loaded, ServingOptions.LoadFile(f)))).ToArray();
                return Run(engines, n, w, r, parse.GetValue(retrievalOnly), parse.GetValue(json));
            }
            catch (Exception e) when (e is BundleException or FormatException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"cascade bench serving: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static int Run((string Name, CascadeEngine Engine)[] engines, int requests, int warmup, int rounds, bool retrievalOnly, bool json)
    {
        var users = Enumerable.Range(0, 1000).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["user_id"] = i.ToString(CultureInfo.InvariantCulture), ["hour"] = (i % 24).ToString(CultureInfo.InvariantCulture),
            ["device"] = (i % 4).ToString(CultureInfo.InvariantCulture),
        }).ToArray();
        foreach (var (_, e) in engines)
        {
            e.Options.ApplyGemmThreads();
            for (int i = 0; i < warmup; i++) e.Recommend(users[i % users.Length], 10);
        }
        var best = new (double Cpu, double Wall, double Bytes, StageTimings Mean, double Thread)[engines.Length];
        for (int b = 0; b < best.Length; b++) best[b].Cpu = double.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            for (int b = 0; b < engines.Length; b++)
            {
                var e = engines[b].Engine;
                e.Options.ApplyGemmThreads(); // as the server does at start-up (engine.gemm_threads, default 1)
                var times = new StageTimings[requests];
                var proc = Process.GetCurrentProcess();
                var cpu0 = proc.TotalProcessorTime;
                long bytes0 = GC.GetAllocatedBytesForCurrentThread();
                double thread0 = ThreadCpuMs();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < requests; i++)
                {
                    if (retrievalOnly) e.RetrieveIds(users[i % users.Length], e.Options.RetrievalK);
                    else times[i] = e.Recommend(users[i % users.Length], 10).Timings;
                }
                double wall = sw.Elapsed.TotalMilliseconds / requests;
                double thread = (ThreadCpuMs() - thread0) / requests;
                double bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - bytes0) / requests;
                proc.Refresh();
                double cpu = (proc.TotalProcessorTime - cpu0).TotalMilliseconds / requests;
                if (thread < best[b].Thread || best[b].Thread == 0)
                    best[b] = (cpu, wall, bytes, new StageTimings(Median(times, t => t.EncodeMs), Median(times, t => t.RetrievalMs), Median(times, t => t.PrerankMs),
                        Median(times, t => t.RankMs), Median(times, t => t.AuctionMs), Median(times, t => t.TotalMs)), thread);
            }
        }
        var results = new List<BenchResult>();
        for (int b = 0; b < engines.Length; b++)
        {
            var (name, e) = engines[b];
            var o = e.Options;
            string c = $"{(retrievalOnly ? "retrieval-only" : "cascade")} config={name} retrieval={o.RetrievalMethod.ToString().ToLowerInvariant()} K={o.RetrievalK} ef={Math.Max(o.RetrievalK, o.RetrievalEf)} N={o.PrerankN} M={o.RankM} ads={e.AdCount}";
            var (cpu, wall, bytes, m, thread) = best[b];
            results.Add(new BenchResult(c, "cpu_ms_per_request", cpu, "ms"));
            results.Add(new BenchResult(c, "thread_cpu_ms_per_request", thread, "ms"));
            results.Add(new BenchResult(c, "wall_ms_per_request", wall, "ms"));
            results.Add(new BenchResult(c, "allocated_bytes_per_request", bytes, "B"));
            results.Add(new BenchResult(c, "encode_p50_ms", m.EncodeMs, "ms"));
            results.Add(new BenchResult(c, "retrieval_p50_ms", m.RetrievalMs, "ms"));
            results.Add(new BenchResult(c, "prerank_p50_ms", m.PrerankMs, "ms"));
            results.Add(new BenchResult(c, "rank_p50_ms", m.RankMs, "ms"));
            results.Add(new BenchResult(c, "auction_p50_ms", m.AuctionMs, "ms"));
            if (!json)
                Console.WriteLine($"{c}: cpu {cpu:0.000} ms/req (request thread {thread:0.000}), wall {wall:0.000} ms/req, {bytes:N0} B/req; median ms: encode {m.EncodeMs:0.000} retrieval {m.RetrievalMs:0.000} prerank {m.PrerankMs:0.000} rank {m.RankMs:0.000} auction {m.AuctionMs:0.000} total {m.TotalMs:0.000}");
        }
        if (json) BenchCommand.WriteJson("bench serving", results);
        return 0;
    }

    // Medians, not means: a stage preempted by another process on a loaded machine is an outlier, not the stage's cost.
    private static double Median(StageTimings[] times, Func<StageTimings, double> stage)
    {
        var v = times.Select(stage).Order().ToArray();
        return v[v.Length / 2];
    }

    // CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): robust to other processes on a loaded machine, unlike
    // wall time; excludes the GEMM pool's helper thread. NaN where clock_gettime is not available.
    private static double ThreadCpuMs()
    {
        try { return clock_gettime(3, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return double.NaN; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out Timespec time);
}
