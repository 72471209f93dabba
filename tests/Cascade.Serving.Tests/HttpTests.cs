using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cascade.Serving.Http;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>In-process HTTP tests: a real Kestrel server on 127.0.0.1 with port 0, driven by HttpClient.</summary>
public sealed class HttpTests : IAsyncLifetime
{
    public const string Token = "test-admin-token";
    private ServingHost _host = null!;
    private HttpClient _http = null!;

    public static async Task<(ServingHost, HttpClient)> StartAsync(string bundle, string state, ServingOptions? options = null)
    {
        var host = await ServingHost.StartAsync(new ServingHostOptions(bundle, state, Token, options ?? TestBundle.Options));
        return (host, new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Starts a host on a fresh copy of the test bundle, runs <paramref name="body"/>, then stops it.</summary>
    internal static async Task WithHostAsync(ServingOptions options, Func<ServingHost, HttpClient, Task> body)
    {
        var bundle = TestBundle.Copy();
        var (host, http) = await StartAsync(bundle, bundle + ".state", options);
        try { await body(host, http); }
        finally
        {
            http.Dispose();
            await host.StopAsync();
        }
    }

    public async Task InitializeAsync()
    {
        var bundle = TestBundle.Copy();
        (_host, _http) = await StartAsync(bundle, bundle + ".state");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string body, string? token = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task RecommendReturnsWinnersWithStageScoresAndTimings()
    {
        var (status, body) = await PostAsync("v1/recommend", """{"features": {"user_id": "u3", "age": "a3", "hour": "h3"}, "count": 4}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var ads = body.GetProperty("ads");
        Assert.Equal(4, ads.GetArrayLength());
        foreach (var a in ads.EnumerateArray())
            foreach (var f in new[] { "ad_id", "retrieval_score", "prerank_score", "pctr", "bid", "ecpm", "price" }) Assert.True(a.TryGetProperty(f, out _), f);
        Assert.Equal(64, body.GetProperty("funnel").GetProperty("retrieved").GetInt32());
        Assert.True(body.GetProperty("timings_ms").GetProperty("total").GetDouble() > 0);
        // Same answer as the engine in-process.
        var direct = _host.Engine.Recommend(TestBundle.User(3), 4);
        Assert.Equal(direct.Ads.Select(a => a.AdId), ads.EnumerateArray().Select(a => a.GetProperty("ad_id").GetInt64()));
    }

    [Theory]
    [InlineData("{\"features\": {\"user_id\": \"u1\"", "malformed JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"count\": 3}", "'features' is required")]
    [InlineData("{\"features\": {\"user_idd\": \"u1\"}}", "unknown feature 'user_idd'")]
    [InlineData("{\"features\": {\"item_id\": \"i1\"}}", "ad-side feature")]
    [InlineData("{\"features\": {\"user_id\": {\"x\": 1}}}", "features.user_id must be")]
    [InlineData("{\"features\": {}, \"count\": 0}", "'count' must be an integer in 1..20")]
    [InlineData("{\"features\": {}, \"limit\": 3}", "unknown field 'limit'")]
    public async Task BadRecommendRequestsAre400WithTheReason(string body, string reason)
    {
        var (status, problem) = await PostAsync("v1/recommend", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task OversizedBodiesAre413()
    {
        var big = "{\"features\": {\"user_id\": \"" + new string('x', 10_000) + "\"}}";
        var (status, problem) = await PostAsync("v1/recommend", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("4096", problem.GetProperty("detail").GetString());
        // Chunked (no Content-Length): Kestrel's limit stops the read.
        using var req = new HttpRequestMessage(HttpMethod.Post, "v1/ads/events") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        req.Headers.TransferEncodingChunked = true;
        // Kestrel answers 413 as soon as the limit is crossed and closes the connection; the client may see the answer
        // or, when it was still sending, a closed connection. Either way the server must have answered 413.
        // A fresh client: the pooled connection of the first request may just have been closed by the server.
        using var fresh = new HttpClient { BaseAddress = _http.BaseAddress };
        try
        {
            using var res = await fresh.SendAsync(req);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res.StatusCode);
        }
        catch (HttpRequestException) { }
        // The request counter is bumped when the handler returns, which may be just after the client saw the answer.
        await MetricsContainingAsync("cascade_http_requests_total{route=\"/v1/ads/events\",status=\"413\"} 1");
    }

    [Fact]
    public async Task EventsNeedTheAdminToken()
    {
        const string ev = """{"type": "bid", "ad_id": 5, "version": 2, "bid": 3.5}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("v1/ads/events", ev)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("v1/ads/events", ev, "wrong")).Status);
        Assert.Equal(1, _host.Engine.GetAd(5)!.Version);
        var (status, body) = await PostAsync("v1/ads/events", ev, Token);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        var ad = await WaitForVersionAsync(5, 2);
        Assert.Equal(3.5, ad.GetProperty("bid").GetDouble());
    }

    [Theory]
    [InlineData("""{"type": "boost", "ad_id": 5, "version": 2}""", "unknown type 'boost'")]
    [InlineData("""{"type": "bid", "ad_id": 5, "version": 2}""", "needs 'bid'")]
    [InlineData("""{"type": "bid", "ad_id": 5, "version": 2, "bid": -1}""", "bid must be a finite number")]
    [InlineData("""{"type": "upsert", "ad_id": 900, "version": 1, "bid": 1, "budget": 1, "features": {"age": "a1"}}""", "user/context feature")]
    [InlineData("""{"type": "pause", "ad_id": 0, "version": 1}""", "ad_id must be a positive")]
    [InlineData("""{"type": "upsert", "ad_id": 901, "version": 1, "bid": 1, "budget": 1, "features": {"price": "cheap"}}""", "'cheap' is not a number")]
    [InlineData("""{"events": [{"type": "pause", "ad_id": 3, "version": 9}, {"type": "pause", "ad_id": 3}]}""", "events[1]: 'version' is required")]
    [InlineData("""{"type": "pause", "ad_id": 3, "version": 2, "extra": 1}""", "unknown field 'extra'")]
    [InlineData("""{"type": "pause", """, "malformed JSON")]
    public async Task BadEventsAre400WithTheReason(string body, string reason)
    {
        var (status, problem) = await PostAsync("v1/ads/events", body, Token);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Equal(0, _host.Log.Appended); // nothing of a rejected request reaches the log
    }

    [Fact]
    public async Task NewAdBecomesVisibleAndCanWin()
    {
        var ev = """{"events": [{"type": "upsert", "ad_id": 7000, "version": 1, "bid": 1000, "budget": 50, "features": {"item_id": "i4", "category": "c4", "genres": ["g4", "g4"], "price": 5}}]}""";
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("v1/ads/events", ev, Token)).Status);
        var ad = await WaitForVersionAsync(7000, 1);
        Assert.True(ad.GetProperty("indexed").GetBoolean());
        Assert.Equal("c4", ad.GetProperty("features").GetProperty("category").GetString());
        Assert.True(_host.Metrics.Freshness.Count >= 1);
    }

    [Fact]
    public async Task GetAdAnswers404And400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("v1/ads/123456")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("v1/ads/abc")).StatusCode);
        var res = await _http.GetAsync("v1/ads/50");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var ad = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement;
        Assert.True(ad.GetProperty("paused").GetBoolean()); // ad 50 is paused in the test bundle
        Assert.False(ad.GetProperty("eligible").GetBoolean());
    }

    [Fact]
    public async Task MetricsHealthReadinessAndOpenApi()
    {
        await PostAsync("v1/recommend", """{"features": {"user_id": "u1"}}""");
        var metrics = await MetricsContainingAsync("cascade_http_requests_total{route=\"/v1/recommend\",status=\"200\"} 1");
        Assert.Contains("cascade_stage_latency_seconds_bucket{stage=\"retrieval\",le=\"+Inf\"} 1", metrics);
        Assert.Contains("cascade_http_requests_total{route=\"/v1/recommend\",status=\"200\"} 1", metrics);
        Assert.Contains($"cascade_index_size {TestBundle.Ads}", metrics);
        Assert.Contains("cascade_event_lag 0", metrics);
        Assert.Contains("cascade_event_freshness_seconds_count", metrics);
        Assert.Equal("ok\n", await _http.GetStringAsync("healthz"));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("readyz")).StatusCode);
        var doc = JsonDocument.Parse(await _http.GetStringAsync("openapi.json")).RootElement;
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "/v1/recommend", "/v1/ads/events", "/v1/ads/{id}", "/metrics", "/healthz", "/readyz" }, paths);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("v2/nothing")).StatusCode);
    }

    [Fact]
    public async Task ConcurrentRequestsAllSucceedOrAreShed()
    {
        var tasks = Enumerable.Range(0, 64).Select(i => PostAsync("v1/recommend", "{\"features\": {\"user_id\": \"u" + (i % 40) + "\"}}")).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, r.Status.ToString()));
        Assert.Contains(results, r => r.Status == HttpStatusCode.OK);
    }

    // Request counters are bumped when the handler returns, which may be just after the client saw the answer.
    private async Task<string> MetricsContainingAsync(string line)
    {
        string metrics = "";
        for (int i = 0; i < 200 && !metrics.Contains(line); i++)
        {
            if (i > 0) await Task.Delay(10);
            metrics = await _http.GetStringAsync("metrics");
        }
        Assert.Contains(line, metrics);
        return metrics;
    }

    private async Task<JsonElement> WaitForVersionAsync(long id, long version)
    {
        for (int i = 0; i < 500; i++)
        {
            var res = await _http.GetAsync($"v1/ads/{id}");
            if (res.StatusCode == HttpStatusCode.OK)
            {
                var ad = JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone();
                if (ad.GetProperty("version").GetInt64() >= version) return ad;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"ad {id} did not reach version {version} within 5 s.");
    }
}
