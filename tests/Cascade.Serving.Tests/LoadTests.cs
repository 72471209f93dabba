using System.Xml.Linq;
using Cascade.Serving.Load;

namespace Cascade.Serving.Tests;

public class LoadTests
{
    [Fact]
    public async Task OpenAndClosedLoopsCountEveryRequestAndStreamEvents()
    {
        var bundle = TestBundle.Copy();
        // This test checks the generator's accounting, not shedding (SheddingTests does): the queued-work limit reads the
        // process-wide ThreadPool.PendingWorkItemCount, which tests running in parallel in this process (the concurrent
        // retriever/index stress tests) can push past 256 and make the server shed every closed-loop request.
        var (host, http) = await HttpTests.StartAsync(bundle, bundle + ".state", TestBundle.Options with { MaxPendingWork = int.MaxValue });
        try
        {
            var bodies = Enumerable.Range(0, 10).Select(u => $"{{\"features\": {{\"user_id\": \"u{u}\"}}}}").ToArray();
            using var gen = new LoadGenerator(new LoadPlan(host.BaseAddress, bodies, TimeSpan.FromSeconds(0.5), EventsPerSecond: 100,
                AdIds: [1, 2, 3], AdminToken: HttpTests.Token));
            var open = await gen.RunOpenAsync(40);
            Assert.Equal(20, open.Sent); // 40 req/s × 0.5 s, sent whatever the answers
            Assert.Equal(open.Sent, open.Ok + open.Shed + open.Errors);
            Assert.Equal(0, open.Errors);
            Assert.True(open.LatencyMs[0] <= open.LatencyMs[2] && open.LatencyMs[2] <= open.LatencyMs[3]);
            Assert.True(open.StageMeanMs["total"] > 0);
            Assert.True(open.EventsSent > 0);
            Assert.True(open.FreshnessP99Ms > 0);
            Assert.True(host.Log.Appended >= open.EventsSent);
            var closed = await gen.RunClosedAsync(2);
            Assert.True(closed.Ok > 0, $"closed loop: sent {closed.Sent}, ok {closed.Ok}, shed {closed.Shed}, errors {closed.Errors}");
            Assert.Equal(closed.Sent, closed.Ok + closed.Shed + closed.Errors);
            var svg = XDocument.Parse(LoadReport.SweepSvg([open, closed with { TargetQps = 80 }], "t"));
            Assert.Equal(3, svg.Root!.Elements().Count(e => e.Name.LocalName == "polyline"));
            Assert.Contains(open.Rows(), r => r.Metric == "p99_ms");
        }
        finally
        {
            http.Dispose();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task WarmupIsNotCountedAndEveryMeasuredRequestIsLogged()
    {
        await HttpTests.WithHostAsync(TestBundle.Options with { MaxPendingWork = int.MaxValue }, async (host, http) =>
        {
            var bodies = new[] { "{\"features\": {\"user_id\": \"u1\"}}" };
            using var gen = new LoadGenerator(new LoadPlan(host.BaseAddress, bodies, TimeSpan.FromSeconds(0.5), Warmup: TimeSpan.FromSeconds(0.5)));
            var open = await gen.RunOpenAsync(40);
            Assert.Equal(20, open.Sent); // the 20 warm-up requests are sent but not counted
            Assert.Equal(0.5, open.WarmupSeconds);
            Assert.Contains("(after 0.5 s warm-up)", open.Summary());
            Assert.Equal(20, open.Samples.Count);
            Assert.All(open.Samples, x => Assert.Equal(200, x.Status));
            // Scheduled 25 ms apart from the measured run's start, in order.
            for (int i = 0; i < open.Samples.Count; i++) Assert.Equal(i * 25.0, open.Samples[i].ScheduledMs, 0.5);
            // Every request reached the server: 20 warm-up + 20 measured (the metrics middleware counts each).
            var metrics = await http.GetStringAsync("metrics");
            Assert.Contains("cascade_http_requests_total{route=\"/v1/recommend\",status=\"200\"} 40", metrics);
            var csv = new StringWriter();
            open.WriteSamplesCsv(csv);
            var lines = csv.ToString().TrimEnd('\n').Split('\n');
            Assert.Equal("scheduled_ms,latency_ms,status", lines[0]);
            Assert.Equal(21, lines.Length);
            var row = lines[2].Split(',');
            Assert.Equal(3, row.Length);
            Assert.Equal(25.0, double.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture), 0.5);
            Assert.Equal(open.Samples[1].LatencyMs, double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture), 0.001);
            Assert.Equal("200", row[2]);
            Assert.Contains(open.Rows(), r => r.Metric == "warmup_s" && r.Value == 0.5);
        });
    }

    [Fact]
    public void FreshnessQuantileReadsPrometheusBuckets()
    {
        const string text = "cascade_event_freshness_seconds_bucket{le=\"0.001\"} 90\ncascade_event_freshness_seconds_bucket{le=\"0.005\"} 99\n" +
                            "cascade_event_freshness_seconds_bucket{le=\"0.01\"} 100\ncascade_event_freshness_seconds_bucket{le=\"+Inf\"} 100\n";
        Assert.Equal(5, LoadGenerator.FreshnessP99(text), 6);
        Assert.True(double.IsNaN(LoadGenerator.FreshnessP99("cascade_event_freshness_seconds_bucket{le=\"+Inf\"} 0\n")));
    }
}
