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
            HttpResponseMessage? shed = null;
            for (int i = 0; i < 200 && shed?.StatusCode != HttpStatusCode.TooManyRequests; i++)
            {
                await Task.Delay(10);
                shed = await http.PostAsync("v1/recommend", new StringContent("{\"features\": {}}", Encoding.UTF8, "application/json"));
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, shed!.StatusCode);
            Assert.Equal("1", shed.Headers.RetryAfter?.ToString());
            release.SetResult();
            Assert.Equal(HttpStatusCode.OK, (await stalled).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("v1/recommend", new StringContent("{\"features\": {}}"))).StatusCode);
            Assert.Contains("cascade_requests_shed_total 1", await http.GetStringAsync("metrics"));
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
