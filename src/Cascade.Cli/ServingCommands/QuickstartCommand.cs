using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Cascade.Serving.Bundles;
using Cascade.Serving.Http;
using Cascade.Serving.Load;
using Cascade.Serving.Online;

namespace Cascade.Cli.ServingCommands;

/// <summary>
/// `cascade quickstart`: the whole system in about a minute with no downloads: simulate a seeded market, train
/// retrieval (DSSM), pre-ranking (HIT) and ranking (DeepFM) models, export a bundle, start the server on
/// 127.0.0.1, run an open-loop load test while bid changes stream in, and print AUCs, retrieval recall, latency
/// percentiles and event freshness.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Where the bundle and event log go.", DefaultValueFactory = _ => "cascade-quickstart" };
        var qps = new Option<double>("--qps") { Description = "Open-loop load during the test.", DefaultValueFactory = _ => 200 };
        var duration = new Option<double>("--duration") { Description = "Load-test seconds.", DefaultValueFactory = _ => 10 };
        var eventsPerSecond = new Option<double>("--events-per-second") { Description = "Bid changes per second during the load test.", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (DESIGN.md §7)." };
        var (users, ads, days, seed, epochs, retrieval, prerank, rank) = PipelineOptionsCli.Options();
        var cmd = new Command("quickstart", "Simulate, train, export, serve and load-test the cascade in about a minute (no downloads).")
        {
            outDir, qps, duration, eventsPerSecond, json, users, ads, days, seed, epochs, retrieval, prerank, rank,
        };
        cmd.SetAction(async (parse, cancellation) =>
        {
            var log = Console.Error;
            var total = Stopwatch.StartNew();
            try
            {
                var o = PipelineOptionsCli.Read(parse, users, ads, days, seed, epochs, retrieval, prerank, rank);
                log.WriteLine($"[1/4] simulate {o.Users} users × {o.Ads} ads × {o.Days} day(s) and train {o.RetrievalModel} → {o.PrerankModel} → {o.RankModel}");
                var result = MarketPipeline.Run(o, log);
                var root = Path.GetFullPath(parse.GetValue(outDir)!);
                var bundleDir = Path.Combine(root, "bundle");
                var stateDir = Path.Combine(root, "state");
                if (Directory.Exists(stateDir)) Directory.Delete(stateDir, recursive: true);
                log.WriteLine($"[2/4] export bundle → {bundleDir}");
                Bundle.Export(result.Source, bundleDir, overwrite: true);

                int k = Math.Min(1000, Math.Max(20, o.Ads / 4));
                var options = new ServingOptions { RetrievalK = k, RetrievalEf = k, PrerankN = Math.Min(200, k), RankM = Math.Min(20, k) };
                const string token = "quickstart-token";
                log.WriteLine($"[3/4] serve on 127.0.0.1 (K = {options.RetrievalK}, N = {options.PrerankN}, M = {options.RankM})");
                await using var server = await ServingHost.StartAsync(new ServingHostOptions(bundleDir, stateDir, token, options), cancellation);
                double recall = Recall(server.Engine, result, k);

                log.WriteLine($"[4/4] load test: {parse.GetValue(qps)} req/s open loop for {parse.GetValue(duration)} s (after 1 s warm-up) with {parse.GetValue(eventsPerSecond)} bid changes/s");
                var bodies = result.HeldOutRequests.Take(1000).Select(f => JsonSerializer.Serialize(new Dictionary<string, object?> { ["features"] = f })).ToArray();
                using var gen = new LoadGenerator(new LoadPlan(server.BaseAddress, bodies, TimeSpan.FromSeconds(parse.GetValue(duration)),
                    parse.GetValue(eventsPerSecond), result.Source.Ads.Select(a => a.Id).ToArray(), token, Warmup: TimeSpan.FromSeconds(1)));
                var report = await gen.RunOpenAsync(parse.GetValue(qps), cancellation);
                await server.StopAsync();

                log.WriteLine();
                log.WriteLine("Quick-start summary");
                foreach (var q in result.Quality)
                    log.WriteLine($"  {q.Stage,-10} {q.Model,-8} {q.Describe()}");
                log.WriteLine($"  retrieval  recall@{k} of held-out clicks {recall:0.0000} (random: {(double)k / o.Ads:0.0000})");
                log.WriteLine($"  load       {report.Summary()}");
                log.WriteLine($"  total time {total.Elapsed.TotalSeconds:0.0} s; serve it again with: cascade serve --bundle {bundleDir} --admin-token <token>");
                if (parse.GetValue(json))
                {
                    var rows = MarketPipeline.QualityRows("quickstart", result.Quality)
                        .Append(($"quickstart retrieval k={k}", "recall", recall, "fraction"))
                        .Concat(report.Rows());
                    Console.WriteLine(LoadtestCommand.Json("quickstart", rows));
                }
                return report.Errors == 0 ? 0 : 3;
            }
            catch (Exception e) when (e is BundleException or ArgumentException or IOException or FormatException)
            {
                log.WriteLine($"cascade quickstart: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    // Share of held-out clicked (request, ad) pairs whose ad is in the top-K of the retrieval stage.
    private static double Recall(CascadeEngine engine, PipelineResult r, int k)
    {
        int hit = 0, n = Math.Min(500, r.HeldOutRequests.Count);
        for (int i = 0; i < n; i++)
            if (Array.IndexOf(engine.RetrieveIds(r.HeldOutRequests[i], k), r.HeldOutClickedAds[i]) >= 0) hit++;
        return n == 0 ? double.NaN : (double)hit / n;
    }
}
