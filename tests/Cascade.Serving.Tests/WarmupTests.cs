using System.Net;
using System.Text.Json;
using Cascade.Serving.Http;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

public class WarmupTests
{
    [Fact]
    public void WarmupBodiesGiveEveryRequestColumnAValueTheEngineAccepts()
    {
        var engine = new CascadeEngine(Cascade.Serving.Bundles.Bundle.Load(TestBundle.Copy()), TestBundle.Options);
        var bodies = ServingHost.WarmupBodies(engine);
        Assert.Equal(65, bodies.Length);
        Assert.Equal("{\"features\": {}}", System.Text.Encoding.UTF8.GetString(bodies[^1]));
        var seen = new HashSet<string>();
        foreach (var body in bodies)
        {
            using var doc = JsonDocument.Parse(body);
            var features = AdJson.ReadFeatures(doc.RootElement.GetProperty("features"), "features");
            Assert.Null(engine.Validator.CheckRequest(features));
            seen.UnionWith(features.Keys);
            Assert.Equal(3, engine.Recommend(features, 3).Ads.Count);
        }
        // Every request-side column of the test schema is exercised (it has no vector features to leave out).
        Assert.Equal(engine.Validator.RequestColumns.Order(), seen.Order());
    }

    [Fact]
    public async Task ServerWarmsUpBeforeItIsReadyAndCountsTheWarmupRequests()
    {
        await HttpTests.WithHostAsync(TestBundle.Options with { WarmupSeconds = 1.5 }, async (host, http) =>
        {
            Assert.True(host.WarmupRequests > 0);
            Assert.InRange(host.WarmupTime.TotalSeconds, 1.4, 30); // a 1.5-s limit below the 2-s minimum: it runs to the limit
            Assert.False(host.JitQuiet);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz")).StatusCode);
            var metrics = await http.GetStringAsync("metrics");
            Assert.Contains($"cascade_warmup_requests {host.WarmupRequests}\n", metrics);
            Assert.Contains($"cascade_http_requests_total{{route=\"/v1/recommend\",status=\"200\"}} {host.WarmupRequests}\n", metrics);
            Assert.Contains("dotnet_gc_pause_seconds_total ", metrics);
            Assert.Contains("dotnet_gc_collections_total{generation=\"0\"} ", metrics);
            Assert.Equal(0, host.Updater.Applied); // warm-up changes no ad
        });
    }

    [Fact]
    public async Task ZeroWarmupStartsWithoutSelfRequests()
    {
        await HttpTests.WithHostAsync(TestBundle.Options with { WarmupSeconds = 0 }, async (host, http) =>
        {
            Assert.Equal(0, host.WarmupRequests);
            Assert.DoesNotContain("route=\"/v1/recommend\"", await http.GetStringAsync("metrics"));
        });
    }

    [Fact]
    public async Task ServerAsksForBackgroundFullCollections()
    {
        await HttpTests.WithHostAsync(TestBundle.Options with { LowLatencyGc = true }, async (host, http) =>
        {
            // The runtime keeps its mode when concurrent GC is off; the test host runs with it on (the default).
            Assert.Equal(System.Runtime.GCLatencyMode.SustainedLowLatency, System.Runtime.GCSettings.LatencyMode);
            var metrics = await http.GetStringAsync("metrics");
            Assert.Contains("dotnet_gc_last_gen2_blocking_pause_seconds ", metrics);
            Assert.Contains("dotnet_gc_heap_bytes ", metrics);
        });
    }

    [Fact]
    public void WarmupSecondsIsReadFromYamlAndRangeChecked()
    {
        Assert.True(new ServingOptions().LowLatencyGc);
        Assert.False(ServingOptions.Parse("engine: {low_latency_gc: false}", "s.yaml").LowLatencyGc);
        Assert.Equal(10, new ServingOptions().WarmupSeconds);
        Assert.Equal(2.5, ServingOptions.Parse("engine: {warmup_seconds: 2.5}", "s.yaml").WarmupSeconds);
        Assert.Equal(0, ServingOptions.Parse("engine: {warmup_seconds: 0}", "s.yaml").WarmupSeconds);
        Assert.Contains("engine.warmup_seconds must be in 0..600", Assert.Throws<FormatException>(() => ServingOptions.Parse("engine: {warmup_seconds: -1}", "s.yaml")).Message);
        Assert.Contains("engine.warmup_seconds must be a number (got 'soon')", Assert.Throws<FormatException>(() => ServingOptions.Parse("engine: {warmup_seconds: soon}", "s.yaml")).Message);
    }
}
