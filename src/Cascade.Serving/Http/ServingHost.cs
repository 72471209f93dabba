using System.Net;
using Cascade.Serving.Bundles;
using Cascade.Serving.NearLine;
using Cascade.Serving.Online;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Http;

/// <summary>How to start a server.</summary>
/// <param name="BundleDirectory">Bundle written by <see cref="Bundle.Export"/>.</param>
/// <param name="StateDirectory">Where the durable event log lives (events.log); replayed onto the bundle at start.</param>
/// <param name="AdminToken">Bearer token required by POST /v1/ads/events.</param>
/// <param name="Serving">Stage sizes and limits.</param>
/// <param name="Port">TCP port; 0 picks a free one (see <see cref="ServingHost.BaseAddress"/>).</param>
/// <param name="Host">Listen address; loopback by default.</param>
public sealed record ServingHostOptions(string BundleDirectory, string StateDirectory, string AdminToken, ServingOptions Serving, int Port = 0, string Host = "127.0.0.1");

/// <summary>
/// The HTTP server (ASP.NET Core minimal APIs on Kestrel): loads and verifies the bundle, replays the durable event
/// log, starts the near-line updater, warms itself up (<see cref="ServingOptions.WarmupSeconds"/>) and serves /v1/recommend, /v1/ads/events, /v1/ads/{id}, /metrics, /healthz,
/// /readyz and /openapi.json. <see cref="StopAsync"/> shuts down gracefully: readiness goes false, in-flight requests
/// finish, queued events are made durable and applied.
/// </summary>
public sealed partial class ServingHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServingHostOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _token;
    private volatile bool _ready;
    private int _stopped;

    private ServingHost(WebApplication app, ServingHostOptions options, CascadeEngine engine, EventLog log, IAdEventSource source,
        NearLineUpdater updater, ServingMetrics metrics, int replayed)
    {
        _app = app; _options = options; Engine = engine; Log = log; Source = source; Updater = updater; Metrics = metrics; Replayed = replayed;
        _slots = new SemaphoreSlim(options.Serving.MaxConcurrentRequests, options.Serving.MaxConcurrentRequests);
        _token = System.Text.Encoding.UTF8.GetBytes(options.AdminToken);
    }

    /// <summary>Base address, e.g. http://127.0.0.1:5123/.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");
    /// <summary>The cascade.</summary>
    public CascadeEngine Engine { get; }
    /// <summary>The durable event log.</summary>
    public EventLog Log { get; }
    /// <summary>Event source between the log and the updater.</summary>
    public IAdEventSource Source { get; }
    /// <summary>The near-line updater.</summary>
    public NearLineUpdater Updater { get; }
    /// <summary>Metrics.</summary>
    public ServingMetrics Metrics { get; }
    /// <summary>Events replayed from the log at start.</summary>
    public int Replayed { get; }
    /// <summary>Recommend requests holding an in-flight slot now.</summary>
    public int InFlight => _options.Serving.MaxConcurrentRequests - _slots.CurrentCount;

    /// <summary>Loads the bundle, replays the log and starts listening.</summary>
    public static async Task<ServingHost> StartAsync(ServingHostOptions options, CancellationToken cancellation = default)
    {
        if (string.IsNullOrEmpty(options.AdminToken)) throw new ArgumentException("an admin token is required (set CASCADE_ADMIN_TOKEN or pass --admin-token).", nameof(options));
        var bundle = Bundle.Load(options.BundleDirectory);
        options.Serving.ApplyGemmThreads();
        // Process-wide, like the GEMM threads: ignored by the runtime when concurrent GC is off (then the mode stays).
        if (options.Serving.LowLatencyGc) System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        var engine = new CascadeEngine(bundle, options.Serving);
        Directory.CreateDirectory(options.StateDirectory);
        var logPath = Path.Combine(options.StateDirectory, "events.log");
        int replayed = 0;
        foreach (var e in EventLog.ReadAll(logPath))
        {
            // Events are validated before they are logged; one that still cannot be applied (e.g. a log written by a
            // bundle with another encoder) is reported and skipped rather than making the server unable to start.
            try { engine.Apply(e); replayed++; }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            { Console.Error.WriteLine($"{logPath}: event {AdEvent.KindName(e.Kind)} ad {e.AdId} v{e.Version} skipped on replay: {ex.Message}"); }
        }

        var metrics = new ServingMetrics();
        var source = new ChannelAdEventSource(options.Serving.EventQueueCapacity);
        var log = new EventLog(logPath, source, options.Serving.EventQueueCapacity);
        var updater = new NearLineUpdater(engine, source, metrics.Freshness);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Parse(options.Host), options.Port);
            k.Limits.MaxRequestBodySize = options.Serving.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        var host = new ServingHost(app, options, engine, log, source, updater, metrics, replayed);
        host.MapEndpoints(app);
        updater.Start(CancellationToken.None);
        await app.StartAsync(cancellation).ConfigureAwait(false);
        host.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        if (options.Serving.WarmupSeconds > 0)
        {
            try { await host.WarmUpAsync(cancellation).ConfigureAwait(false); }
            catch
            {
                await host.StopAsync().ConfigureAwait(false);
                throw;
            }
        }
        host._ready = true;
        return host;
    }

    /// <summary>Completes when the server has been asked to stop (Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    /// <summary>
    /// Graceful shutdown: not ready, Kestrel stops accepting and drains in-flight requests, queued events are
    /// fsynced and applied, the log is closed.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        _ready = false;
        _stopping.Cancel();
        await _app.StopAsync().ConfigureAwait(false);
        await Log.DisposeAsync().ConfigureAwait(false);
        Source.Complete();
        await Updater.Completion.ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private void MapEndpoints(WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            await next(ctx).ConfigureAwait(false);
            var route = (ctx.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            Metrics.CountRequest(route, ctx.Response.StatusCode);
        });
        app.MapPost("/v1/recommend", (RequestDelegate)RecommendAsync);
        app.MapPost("/v1/ads/events", (RequestDelegate)EventsAsync);
        app.MapGet("/v1/ads/{id}", (RequestDelegate)GetAdAsync);
        app.MapGet("/metrics", ctx => Text(ctx, 200, Metrics.Render(Engine, Updater, Log, Source, Replayed, WarmupRequests), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/healthz", ctx => Text(ctx, 200, "ok\n", "text/plain"));
        app.MapGet("/readyz", ctx => _ready ? Text(ctx, 200, "ready\n", "text/plain") : Text(ctx, 503, "not ready\n", "text/plain"));
        app.MapGet("/openapi.json", ctx => Text(ctx, 200, OpenApi.Document, "application/json"));
    }

    private static Task Text(HttpContext ctx, int status, string body, string contentType)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        return ctx.Response.WriteAsync(body);
    }
}
