using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cascade.Serving.Load;

/// <summary>What to send.</summary>
/// <param name="BaseUrl">Server base address.</param>
/// <param name="Bodies">Recommend request bodies, used round-robin.</param>
/// <param name="Duration">Run length.</param>
/// <param name="EventsPerSecond">Bid-change events per second streamed during the run (0 = none).</param>
/// <param name="AdIds">Ads whose bids are changed.</param>
/// <param name="AdminToken">Token for /v1/ads/events.</param>
/// <param name="Warmup">
/// Run the same load (same rate or concurrency, same event stream) this long before each measured run and discard its
/// answers: the generator's own connections and JIT-compiled paths and the server's event path are warm when the
/// measurement starts. Zero measures from a cold start.
/// </param>
public sealed record LoadPlan(Uri BaseUrl, IReadOnlyList<string> Bodies, TimeSpan Duration, double EventsPerSecond = 0,
    IReadOnlyList<long>? AdIds = null, string? AdminToken = null, TimeSpan Warmup = default);

/// <summary>One answered (or failed) request of a run.</summary>
/// <param name="ScheduledMs">When it was due, ms after the measured run started.</param>
/// <param name="LatencyMs">Scheduled time to the end of the answer (ms).</param>
/// <param name="Status">HTTP status, or 0 for a transport error.</param>
public readonly record struct RequestSample(double ScheduledMs, double LatencyMs, int Status);

/// <summary>
/// HTTP load generator for /v1/recommend. Open loop (<see cref="RunOpenAsync"/>): requests are sent on a fixed
/// schedule whatever the answers, and latency counts from the scheduled time, so a slow server is not hidden by
/// coordinated omission. Closed loop (<see cref="RunClosedAsync"/>): C workers each send the next request when the
/// previous one is answered. Optionally streams bid changes to /v1/ads/events at a fixed rate during the run.
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _http;
    private readonly LoadPlan _plan;
    private readonly byte[][] _bodies;
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };
    private static readonly Uri s_recommend = new("v1/recommend", UriKind.Relative);
    private readonly ConcurrentQueue<RequestSample> _samples = new();
    private long _runStart;
    private readonly ConcurrentQueue<double[]> _stages = new();
    private long _sent, _ok, _shed, _errors, _events;
    private int _next;
    private static long s_version = DateTime.UtcNow.Ticks / 10_000 * 1000;

    /// <summary>Creates a generator with its own connection pool.</summary>
    public LoadGenerator(LoadPlan plan)
    {
        _plan = plan;
        // UTF-8 once: the generator shares the server's 2 cores, so per-request encoding counts against the target.
        _bodies = plan.Bodies.Select(Encoding.UTF8.GetBytes).ToArray();
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            // Nothing per request that a benchmark client does not need: no proxy lookup, cookie jar, redirects or
            // distributed-tracing headers (the latter also drops the diagnostics handler from the pipeline).
            UseProxy = false, UseCookies = false, AllowAutoRedirect = false, ActivityHeadersPropagator = null,
        })
        { BaseAddress = plan.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Open loop at <paramref name="qps"/> requests per second.</summary>
    public async Task<LoadReport> RunOpenAsync(double qps, CancellationToken cancellation = default)
    {
        if (!(qps > 0)) throw new ArgumentOutOfRangeException(nameof(qps), qps, "the open-loop rate must be positive.");
        if (_plan.Warmup > TimeSpan.Zero) await OpenScheduleAsync(qps, _plan.Warmup, cancellation).ConfigureAwait(false);
        double seconds = await OpenScheduleAsync(qps, _plan.Duration, cancellation).ConfigureAwait(false);
        return await ReportAsync("open", qps, 0, seconds).ConfigureAwait(false);
    }

    private async Task<double> OpenScheduleAsync(double qps, TimeSpan duration, CancellationToken cancellation)
    {
        Reset();
        var events = StreamEventsAsync(duration, cancellation);
        var sw = Stopwatch.StartNew();
        _runStart = Stopwatch.GetTimestamp();
        long total = (long)(qps * duration.TotalSeconds);
        var inflight = new List<Task>((int)Math.Min(total, 1_000_000));
        // A dedicated thread sends every request that is due, then sleeps until the next one is (at least 1 ms): no
        // spinning (a spinning generator would take one of the two cores from the server), and no timer, thread-pool
        // hop and state machine per wake-up as Task.Delay(1) costs 1,000 times a second whatever the rate. Latency
        // still counts from each request's own scheduled time.
        await Task.Factory.StartNew(() =>
        {
            long i = 0;
            while (i < total && !cancellation.IsCancellationRequested)
            {
                double now = sw.Elapsed.TotalSeconds;
                long start = Stopwatch.GetTimestamp();
                for (; i < total && i / qps <= now; i++)
                    inflight.Add(SendOneAsync(start - (long)((now - i / qps) * Stopwatch.Frequency)));
                if (i < total) Thread.Sleep(Math.Max(1, (int)((i / qps - sw.Elapsed.TotalSeconds) * 1000)));
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        await Task.WhenAll(inflight).ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        double seconds = sw.Elapsed.TotalSeconds;
        await events.ConfigureAwait(false);
        return seconds;
    }

    /// <summary>Closed loop with <paramref name="concurrency"/> workers.</summary>
    public async Task<LoadReport> RunClosedAsync(int concurrency, CancellationToken cancellation = default)
    {
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "the closed loop needs at least one worker.");
        if (_plan.Warmup > TimeSpan.Zero) await ClosedLoopAsync(concurrency, _plan.Warmup, cancellation).ConfigureAwait(false);
        double seconds = await ClosedLoopAsync(concurrency, _plan.Duration, cancellation).ConfigureAwait(false);
        return await ReportAsync("closed", 0, concurrency, seconds).ConfigureAwait(false);
    }

    private async Task<double> ClosedLoopAsync(int concurrency, TimeSpan duration, CancellationToken cancellation)
    {
        Reset();
        var events = StreamEventsAsync(duration, cancellation);
        var sw = Stopwatch.StartNew();
        _runStart = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (sw.Elapsed < duration && !cancellation.IsCancellationRequested) await SendOneAsync(Stopwatch.GetTimestamp()).ConfigureAwait(false);
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = sw.Elapsed.TotalSeconds;
        await events.ConfigureAwait(false);
        return seconds;
    }

    private void Reset()
    {
        _samples.Clear(); _stages.Clear();
        _sent = _ok = _shed = _errors = _events = 0;
    }

    private async Task SendOneAsync(long scheduled)
    {
        Interlocked.Increment(ref _sent);
        var body = _bodies[(int)((uint)Interlocked.Increment(ref _next) % (uint)_bodies.Length)];
        byte[]? buffer = null;
        try
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = s_json;
            using var req = new HttpRequestMessage(HttpMethod.Post, s_recommend) { Content = content };
            // Headers first, then the body into a pooled buffer: no buffered copy of every response.
            using var res = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            buffer = ArrayPool<byte>.Shared.Rent(4096);
            int length = 0;
            using (var stream = await res.Content.ReadAsStreamAsync().ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }
            }
            Record(scheduled, (int)res.StatusCode);
            if (res.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _ok);
                if (_stages.Count < 200) _stages.Enqueue(ParseStages(buffer.AsMemory(0, length)));
            }
            else if (res.StatusCode == HttpStatusCode.TooManyRequests) Interlocked.Increment(ref _shed);
            else Interlocked.Increment(ref _errors);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record(scheduled, 0);
            Interlocked.Increment(ref _errors);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Record(long scheduled, int status) => _samples.Enqueue(new RequestSample(
        (scheduled - _runStart) * 1000.0 / Stopwatch.Frequency, Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds, status));

    private static readonly string[] StageNames = ["encode", "retrieval", "prerank", "rank", "auction", "total"];

    private static double[] ParseStages(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonDocument.Parse(json);
        var t = doc.RootElement.GetProperty("timings_ms");
        return StageNames.Select(n => t.GetProperty(n).GetDouble()).ToArray();
    }

    // Bid changes in batches every 50 ms, spread over the plan's ads; versions from a clock-based counter so they rise across runs.
    private async Task StreamEventsAsync(TimeSpan duration, CancellationToken cancellation)
    {
        if (_plan.EventsPerSecond <= 0 || _plan.AdIds is not { Count: > 0 } ids || _plan.AdminToken is null) return;
        var sw = Stopwatch.StartNew();
        var rng = new Random(7);
        long due = 0, total = (long)(duration.TotalSeconds * _plan.EventsPerSecond);
        async Task SendAsync(int n)
        {
            var sb = new StringBuilder("{\"events\":[");
            for (int i = 0; i < n; i++)
            {
                if (i > 0) sb.Append(',');
                long id = ids[rng.Next(ids.Count)];
                sb.Append(CultureInfo.InvariantCulture, $"{{\"type\":\"bid\",\"ad_id\":{id},\"version\":{Interlocked.Increment(ref s_version)},\"bid\":{0.2 + rng.NextDouble() * 2:0.###}}}");
            }
            sb.Append("]}");
            using var req = new HttpRequestMessage(HttpMethod.Post, "v1/ads/events") { Content = new StringContent(sb.ToString(), Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _plan.AdminToken);
            try
            {
                using var res = await _http.SendAsync(req, cancellation).ConfigureAwait(false);
                if (res.StatusCode == HttpStatusCode.Accepted) Interlocked.Add(ref _events, n);
            }
            catch (HttpRequestException) { }
        }
        while (due < total && !cancellation.IsCancellationRequested)
        {
            long target = sw.Elapsed < duration ? (long)(sw.Elapsed.TotalSeconds * _plan.EventsPerSecond) : total;
            int n = (int)Math.Min(1000, Math.Min(total, target) - due);
            if (n > 0) { await SendAsync(n).ConfigureAwait(false); due += n; }
            if (due < total && sw.Elapsed < duration) await Task.Delay(50, cancellation).ConfigureAwait(false);
        }
    }

    private async Task<LoadReport> ReportAsync(string mode, double qps, int concurrency, double seconds)
    {
        var samples = _samples.ToArray();
        Array.Sort(samples, (a, b) => a.ScheduledMs.CompareTo(b.ScheduledMs));
        // Latency percentiles over answered requests (transport errors have no answer; they count as errors).
        var lat = samples.Where(x => x.Status != 0).Select(x => x.LatencyMs).ToArray();
        Array.Sort(lat);
        double Q(double q) => lat.Length == 0 ? double.NaN : lat[Math.Min(lat.Length - 1, (int)Math.Ceiling(q * lat.Length) - 1)];
        var stages = _stages.ToArray();
        var means = new Dictionary<string, double>();
        for (int s = 0; s < StageNames.Length; s++) means[StageNames[s]] = stages.Length == 0 ? double.NaN : stages.Average(x => x[s]);
        double freshness = double.NaN;
        if (_events > 0)
        {
            await Task.Delay(200).ConfigureAwait(false); // let the last batch be applied
            try { freshness = FreshnessP99(await _http.GetStringAsync("metrics").ConfigureAwait(false)); }
            catch (HttpRequestException) { }
        }
        return new LoadReport(mode, qps, concurrency, seconds, _sent, _ok, _shed, _errors, [Q(0.5), Q(0.95), Q(0.99), Q(0.999)], means, _events, freshness)
        { WarmupSeconds = _plan.Warmup.TotalSeconds, Samples = samples };
    }

    /// <summary>p99 of cascade_event_freshness_seconds from Prometheus text (upper bucket bound, ms); NaN when empty.</summary>
    public static double FreshnessP99(string metrics)
    {
        var buckets = new List<(double Le, long Count)>();
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith("cascade_event_freshness_seconds_bucket{le=\"", StringComparison.Ordinal)) continue;
            int a = line.IndexOf('"') + 1, b = line.IndexOf('"', a);
            string le = line[a..b];
            long count = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            buckets.Add((le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture) * 1000, count));
        }
        if (buckets.Count == 0 || buckets[^1].Count == 0) return double.NaN;
        long target = (long)Math.Ceiling(0.99 * buckets[^1].Count);
        return buckets.First(x => x.Count >= target).Le;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
