using System.Net.Http.Headers;
using System.Text;
using Cascade.Serving.NearLine;

namespace Cascade.Serving.Tests;

public class ReplayTests
{
    [Fact]
    public async Task RestartReplaysEveryAcknowledgedEvent()
    {
        var bundle = TestBundle.Copy();
        var state = bundle + ".state";
        var (host, http) = await HttpTests.StartAsync(bundle, state);
        var expectedBid = new Dictionary<long, double>();
        // 300 bid changes in 30 requests, one new ad, one pause, one delete; versions start at 2 (the bundle holds 1).
        for (int r = 0; r < 30; r++)
        {
            var events = Enumerable.Range(0, 10).Select(j =>
            {
                long id = 1 + (r * 10 + j) % 150;
                int version = 2 + (r * 10 + j) / 150;
                double bid = Math.Round(0.1 + r * 0.01 + j * 0.001, 4);
                expectedBid[id] = bid;
                return $$"""{"type": "bid", "ad_id": {{id}}, "version": {{version}}, "bid": {{bid.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";
            });
            await PostOk(http, "{\"events\": [" + string.Join(",", events) + "]}");
        }
        await PostOk(http, """{"type": "upsert", "ad_id": 8000, "version": 1, "bid": 2, "budget": 9, "features": {"item_id": "i8", "category": "c1"}}""");
        await PostOk(http, """{"type": "pause", "ad_id": 200, "version": 2}""");
        await PostOk(http, """{"type": "delete", "ad_id": 201, "version": 2}""");
        // Stop right away: the graceful shutdown drains the queue, but the test below checks the log, not the drain.
        await host.StopAsync();
        http.Dispose();
        Assert.Equal(303, EventLog.ReadAll(Path.Combine(state, "events.log")).Count);

        // A torn last line (a crash in the middle of an unacknowledged write) is ignored on restart.
        await File.AppendAllTextAsync(Path.Combine(state, "events.log"), "{\"type\": \"bid\", \"ad_id\": 1, \"vers");

        var (again, http2) = await HttpTests.StartAsync(bundle, state);
        try
        {
            Assert.Equal(303, again.Replayed);
            foreach (var (id, bid) in expectedBid) Assert.Equal(bid, again.Engine.GetAd(id)!.Bid);
            Assert.Equal(2, again.Engine.GetAd(8000)!.Bid);
            Assert.True(again.Engine.Index.Contains(8000));
            Assert.True(again.Engine.GetAd(200)!.Paused);
            Assert.Null(again.Engine.GetAd(201));
            Assert.False(again.Engine.Index.Contains(201));
            // Replaying the same events again is a no-op (idempotent by version).
            foreach (var e in EventLog.ReadAll(Path.Combine(state, "events.log"))) Assert.Equal(ApplyOutcome.Stale, again.Engine.Apply(e));
            // New events append after the replayed ones.
            await PostOk(http2, """{"type": "bid", "ad_id": 1, "version": 10, "bid": 7}""");
        }
        finally
        {
            http2.Dispose();
            await again.StopAsync();
        }
        Assert.Equal(304, EventLog.ReadAll(Path.Combine(state, "events.log")).Count);
    }

    private static async Task PostOk(HttpClient http, string body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "v1/ads/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HttpTests.Token);
        using var res = await http.SendAsync(req);
        Assert.True(res.StatusCode == System.Net.HttpStatusCode.Accepted, await res.Content.ReadAsStringAsync());
    }
}
