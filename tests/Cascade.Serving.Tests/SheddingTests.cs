using System.Net;
using System.Text;

namespace Cascade.Serving.Tests;

public class SheddingTests
{
    /// <summary>A body that sends its first byte and then waits: the request holds its in-flight slot meanwhile.</summary>
    private sealed class StalledContent(TaskCompletionSource release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"features\": {\"user_id\": \"u1\"}"));
            await stream.FlushAsync();
            await release.Task;
            await stream.WriteAsync(Encoding.UTF8.GetBytes("}"));
        }

        protected override bool TryComputeLength(out long length) { length = 0; return false; }
    }

    [Fact]
    public async Task RequestsBeyondTheInFlightLimitAre429NotQueued()
    {
        var bundle = TestBundle.Copy();
        var (host, http) = await HttpTests.StartAsync(bundle, bundle + ".state", TestBundle.Options with { MaxConcurrentRequests = 1 });
        try
        {
            var release = new TaskCompletionSource();
            var stalled = http.PostAsync("v1/recommend", new StalledContent(release));
            for (int i = 0; i < 500 && host.InFlight == 0; i++) await Task.Delay(10);
            Assert.Equal(1, host.InFlight);
            var shed = await http.PostAsync("v1/recommend", new StringContent("{\"features\": {}}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.TooManyRequests, shed!.StatusCode);
            Assert.Equal("1", shed.Headers.RetryAfter?.ToString());
            release.SetResult();
            Assert.Equal(HttpStatusCode.OK, (await stalled).StatusCode);
            // The slot is released when the handler returns, which may be just after the client saw the answer.
            var status = HttpStatusCode.TooManyRequests;
            for (int i = 0; i < 100 && status == HttpStatusCode.TooManyRequests; i++)
            {
                if (i > 0) await Task.Delay(10);
                status = (await http.PostAsync("v1/recommend", new StringContent("{\"features\": {}}"))).StatusCode;
            }
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("cascade_requests_shed_total", await http.GetStringAsync("metrics"));
        }
        finally
        {
            http.Dispose();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task StopAsyncStopsListening()
    {
        var bundle = TestBundle.Copy();
        var (host, http) = await HttpTests.StartAsync(bundle, bundle + ".state");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz")).StatusCode);
        await host.StopAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("readyz"));
        http.Dispose();
    }
}
