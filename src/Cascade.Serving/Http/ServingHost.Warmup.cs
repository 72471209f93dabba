using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cascade.Features.Schema;
using Cascade.Serving.Online;

namespace Cascade.Serving.Http;

public sealed partial class ServingHost
{
    private volatile bool _warming;
    // JIT activity has quiet gaps of up to ~0.5 s early on (tier-0 code running while call counting starts, before
    // tier-1 promotions arrive in bulk): one ended a warm-up after 1.1 s, and the first 1,000 req/s run then compiled
    // 3,400 methods (2.5 s of JIT CPU, p99 367 ms). Hence at least 2 s, and a 1-s quiet window.
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(2);
    private const int QuietWindowTicks = 11; // 11 samples 100 ms apart: a 1-s window
    private const int QuietMethods = 10;

    /// <summary>Recommend requests the server sent itself before it became ready (<see cref="ServingOptions.WarmupSeconds"/>).</summary>
    public int WarmupRequests { get; private set; }

    /// <summary>How long the start-up warm-up ran.</summary>
    public TimeSpan WarmupTime { get; private set; }

    /// <summary>True when the warm-up ended because the JIT went quiet, false when it ran into its time limit.</summary>
    public bool JitQuiet { get; private set; }

    // Before /readyz says ready, the server sends itself recommend requests over loopback HTTP, one closed-loop client
    // per core: Kestrel, routing, JSON, validation, every cascade stage and the response writer run until the JIT has
    // promoted them to optimised code — until it goes quiet (no more than a few methods compiled in a second),
    // at most WarmupSeconds. On 2 cores the JIT compiles ~3,900 methods more in ~4.3 s (1.9 s of JIT CPU) before it
    // goes quiet, and a cold server took ~5.5 s of full 1,000 req/s traffic to catch up (p50 177 ms, 6.5 % shed). Load
    // balancers wait for readiness, so this is where that cost belongs. Warm-up answers are not results: nothing about
    // the ads changes, and /metrics counts them (cascade_warmup_requests says how many).
    private async Task WarmUpAsync(CancellationToken cancellation)
    {
        var bodies = WarmupBodies(Engine);
        _warming = true;
        var sw = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(_options.Serving.WarmupSeconds);
        int sent = 0, synthetic = bodies.Length - 1, quiet = 0;
        var json = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, ActivityHeadersPropagator = null })
        { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        async Task WorkerAsync(int worker)
        {
            for (int i = worker; Volatile.Read(ref quiet) == 0 && sw.Elapsed < until && !cancellation.IsCancellationRequested; i += Environment.ProcessorCount)
            {
                // The last body is {} (every feature missing); synthetic bodies first, unless the schema refused one.
                int b = Volatile.Read(ref synthetic) > 0 ? i % bodies.Length : bodies.Length - 1;
                using var content = new ByteArrayContent(bodies[b]);
                content.Headers.ContentType = json;
                using var res = await http.PostAsync("v1/recommend", content, cancellation).ConfigureAwait(false);
                string text = await res.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                if (res.StatusCode == HttpStatusCode.BadRequest && b < bodies.Length - 1)
                {
                    if (Interlocked.Exchange(ref synthetic, 0) > 0)
                        Console.Error.WriteLine($"cascade serve: warm-up request {Encoding.UTF8.GetString(bodies[b])} refused ({text.Trim()}); warming up with {{\"features\": {{}}}} only.");
                    continue;
                }
                if (res.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"start-up warm-up: POST /v1/recommend {Encoding.UTF8.GetString(bodies[b])} answered {(int)res.StatusCode}: {text.Trim()}");
                Interlocked.Increment(ref sent);
            }
        }
        try
        {
            var workers = Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(WorkerAsync));
            // Done when the JIT has gone quiet: fewer than QuietMethods methods compiled (tier-up, OSR, PGO rejits
            // included) in the last QuietWindow, after at least MinWarmup; WarmupSeconds is the upper bound.
            var counts = new Queue<long>();
            while (!workers.IsCompleted)
            {
                await Task.WhenAny(workers, Task.Delay(TimeSpan.FromMilliseconds(100), cancellation)).ConfigureAwait(false);
                counts.Enqueue(System.Runtime.JitInfo.GetCompiledMethodCount());
                if (counts.Count > QuietWindowTicks) counts.Dequeue();
                if (sw.Elapsed >= MinWarmup && counts.Count == QuietWindowTicks && counts.Last() - counts.Peek() < QuietMethods)
                {
                    JitQuiet = true;
                    Volatile.Write(ref quiet, 1); // the workers stop after their current request
                }
            }
            await workers.ConfigureAwait(false);
            using var metrics = await http.GetAsync("metrics", cancellation).ConfigureAwait(false);
        }
        finally
        {
            _warming = false;
            WarmupRequests = sent;
            WarmupTime = sw.Elapsed;
        }
    }

    /// <summary>
    /// Recommend bodies for the start-up warm-up: 64 requests that give every user/context column of the schema a value
    /// of its kind (ids and numbers as "0".."63"; vector features left out), then <c>{"features": {}}</c>.
    /// </summary>
    internal static byte[][] WarmupBodies(CascadeEngine engine)
    {
        var request = engine.Bundle.Encoder.Schema.Features
            .Where(f => f.Side != FeatureSide.Item && f.Kind is not (FeatureKind.EmbeddingSimilarity or FeatureKind.LshHashId))
            .Select(f => (f.SourceColumn, Numeric: f.Kind is FeatureKind.Dense or FeatureKind.Bucketized or FeatureKind.Mns))
            .DistinctBy(c => c.SourceColumn).ToArray();
        var bodies = new List<byte[]>();
        for (int i = 0; request.Length > 0 && i < 64; i++)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteStartObject("features");
                foreach (var (column, numeric) in request)
                {
                    if (numeric) w.WriteNumber(column, i);
                    else w.WriteString(column, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            bodies.Add(ms.ToArray());
        }
        bodies.Add("{\"features\": {}}"u8.ToArray());
        return bodies.ToArray();
    }
}
