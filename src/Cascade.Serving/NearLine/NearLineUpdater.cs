using System.Diagnostics;
using Cascade.Serving.Online;

namespace Cascade.Serving.NearLine;

/// <summary>
/// Consumes ad events from an <see cref="IAdEventSource"/> on its own task and applies each to the engine
/// (<see cref="CascadeEngine.Apply"/>): only the affected ad is re-encoded and upserted, requests never wait for it.
/// Records event-to-visible freshness (receipt to applied) in <see cref="Freshness"/>.
/// </summary>
public sealed class NearLineUpdater
{
    private readonly CascadeEngine _engine;
    private readonly IAdEventSource _source;
    private long _applied, _stale, _unknown, _failed;

    /// <summary>Creates the updater; call <see cref="Start"/>.</summary>
    public NearLineUpdater(CascadeEngine engine, IAdEventSource source, LatencyHistogram freshness)
    {
        _engine = engine;
        _source = source;
        Freshness = freshness;
    }

    /// <summary>Seconds from receipt of an event to its effect being visible to requests.</summary>
    public LatencyHistogram Freshness { get; }
    /// <summary>Events that changed an ad.</summary>
    public long Applied => Interlocked.Read(ref _applied);
    /// <summary>Events ignored for an old version.</summary>
    public long Stale => Interlocked.Read(ref _stale);
    /// <summary>Events about ads the server does not know.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);
    /// <summary>Events whose application threw (logged to stderr; the ad keeps its previous state).</summary>
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>The consuming task (completes when the source completes).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts consuming.</summary>
    public void Start(CancellationToken cancellation) => Completion = Task.Run(() => RunAsync(cancellation), CancellationToken.None);

    private async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            await foreach (var e in _source.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                try
                {
                    var outcome = _engine.Apply(e);
                    switch (outcome)
                    {
                        case ApplyOutcome.Applied: Interlocked.Increment(ref _applied); break;
                        case ApplyOutcome.Stale: Interlocked.Increment(ref _stale); break;
                        default: Interlocked.Increment(ref _unknown); break;
                    }
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException)
                {
                    Interlocked.Increment(ref _failed);
                    Console.Error.WriteLine($"near-line: event {AdEvent.KindName(e.Kind)} ad {e.AdId} v{e.Version} failed: {ex.Message}");
                }
                if (e.ReceivedTimestamp != 0) Freshness.Record(Stopwatch.GetElapsedTime(e.ReceivedTimestamp).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { }
    }
}
