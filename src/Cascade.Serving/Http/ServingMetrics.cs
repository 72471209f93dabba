using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Cascade.Serving.NearLine;
using Cascade.Serving.Online;

namespace Cascade.Serving.Http;

/// <summary>Counters and histograms behind GET /metrics (Prometheus text format 0.0.4).</summary>
public sealed class ServingMetrics
{
    private readonly ConcurrentDictionary<(string Route, int Status), StrongBox> _requests = new();
    private long _shed, _deadline;

    /// <summary>End-to-end cascade time of successful recommend requests.</summary>
    public LatencyHistogram Total { get; } = new();
    /// <summary>Request encoding + user towers.</summary>
    public LatencyHistogram Encode { get; } = new();
    /// <summary>HNSW retrieval.</summary>
    public LatencyHistogram Retrieval { get; } = new();
    /// <summary>Pre-ranking.</summary>
    public LatencyHistogram Prerank { get; } = new();
    /// <summary>Ranking.</summary>
    public LatencyHistogram Rank { get; } = new();
    /// <summary>Auction.</summary>
    public LatencyHistogram Auction { get; } = new();
    /// <summary>Event receipt to visible (ms).</summary>
    public LatencyHistogram Freshness { get; } = new();

    /// <summary>Counts a finished HTTP request.</summary>
    public void CountRequest(string route, int status) => Interlocked.Increment(ref _requests.GetOrAdd((route, status), _ => new StrongBox()).Value);

    /// <summary>Counts a request shed with 429.</summary>
    public void CountShed() => Interlocked.Increment(ref _shed);

    /// <summary>Counts a request that ran past its deadline.</summary>
    public void CountDeadline() => Interlocked.Increment(ref _deadline);

    /// <summary>Records the stage timings of one request.</summary>
    public void RecordStages(in StageTimings t)
    {
        Encode.Record(t.EncodeMs); Retrieval.Record(t.RetrievalMs); Prerank.Record(t.PrerankMs);
        Rank.Record(t.RankMs); Auction.Record(t.AuctionMs); Total.Record(t.TotalMs);
    }

    /// <summary>Renders all metrics.</summary>
    public string Render(CascadeEngine engine, NearLineUpdater updater, EventLog log, IAdEventSource source, int replayed, int warmupRequests = 0)
    {
        var sb = new StringBuilder(8192);
        sb.Append("# HELP cascade_http_requests_total HTTP requests by route and status.\n# TYPE cascade_http_requests_total counter\n");
        foreach (var ((route, status), box) in _requests.OrderBy(kv => kv.Key))
            sb.Append(CultureInfo.InvariantCulture, $"cascade_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {Interlocked.Read(ref box.Value)}\n");
        Counter(sb, "cascade_requests_shed_total", "Recommend requests refused with 429 because too many were in flight.", Interlocked.Read(ref _shed));
        Counter(sb, "cascade_requests_deadline_exceeded_total", "Recommend requests cancelled at their deadline (503).", Interlocked.Read(ref _deadline));
        sb.Append("# HELP cascade_stage_latency_seconds Cascade stage latency of successful recommend requests.\n# TYPE cascade_stage_latency_seconds histogram\n");
        foreach (var (stage, h) in new[] { ("encode", Encode), ("retrieval", Retrieval), ("prerank", Prerank), ("rank", Rank), ("auction", Auction), ("total", Total) })
            h.WritePrometheus(sb, "cascade_stage_latency_seconds", $"stage=\"{stage}\"");
        sb.Append("# HELP cascade_event_freshness_seconds Ad event receipt to visible in the live index and caches.\n# TYPE cascade_event_freshness_seconds histogram\n");
        Freshness.WritePrometheus(sb, "cascade_event_freshness_seconds", "");
        Gauge(sb, "cascade_index_size", "Live vectors in the retrieval HNSW index.", engine.Index.Count);
        Gauge(sb, "cascade_ads", "Ads known to the server (paused included).", engine.AdCount);
        Gauge(sb, "cascade_event_lag", "Ad events received but not yet applied (durable-log queue + updater queue).", log.Pending + source.Pending);
        Counter(sb, "cascade_events_logged_total", "Ad events made durable since start.", log.Appended);
        Counter(sb, "cascade_events_applied_total", "Ad events applied.", updater.Applied);
        Counter(sb, "cascade_events_stale_total", "Ad events ignored for an old version.", updater.Stale);
        Counter(sb, "cascade_events_unknown_ad_total", "Ad events about unknown ads.", updater.Unknown);
        Counter(sb, "cascade_events_failed_total", "Ad events whose application failed.", updater.Failed);
        Gauge(sb, "cascade_events_replayed", "Events replayed from the durable log at start.", replayed);
        Gauge(sb, "cascade_warmup_requests", "Recommend requests the server sent itself before it became ready (counted in cascade_http_requests_total).", warmupRequests);
        sb.Append("# HELP dotnet_gc_collections_total Garbage collections by generation since start.\n# TYPE dotnet_gc_collections_total counter\n");
        for (int g = 0; g <= GC.MaxGeneration; g++) sb.Append(CultureInfo.InvariantCulture, $"dotnet_gc_collections_total{{generation=\"{g}\"}} {GC.CollectionCount(g)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"# HELP dotnet_gc_pause_seconds_total Time the runtime was paused for garbage collection since start.\n# TYPE dotnet_gc_pause_seconds_total counter\ndotnet_gc_pause_seconds_total {GC.GetTotalPauseDuration().TotalSeconds:0.######}\n");
        Counter(sb, "dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", GC.GetTotalAllocatedBytes());
        var heap = GC.GetGCMemoryInfo(GCKind.Any);
        Gauge(sb, "dotnet_gc_heap_bytes", "Managed heap size after the last collection.", heap.HeapSizeBytes);
        Gauge(sb, "dotnet_gc_fragmented_bytes", "Free space inside the managed heap after the last collection.", heap.FragmentedBytes);
        // The last full collection of each kind: a blocking gen2 stops every request for its whole pause; a background
        // gen2 runs beside them and pauses only briefly (docs/design/serving.md, "Garbage collection").
        foreach (var (kind, label) in new[] { (GCKind.FullBlocking, "blocking"), (GCKind.Background, "background") })
        {
            var info = GC.GetGCMemoryInfo(kind);
            double pause = 0;
            foreach (var p in info.PauseDurations) pause += p.TotalSeconds;
            sb.Append(CultureInfo.InvariantCulture, $"# HELP dotnet_gc_last_gen2_{label}_pause_seconds Pause of the last {label} gen2 collection (0 if none).\n# TYPE dotnet_gc_last_gen2_{label}_pause_seconds gauge\ndotnet_gc_last_gen2_{label}_pause_seconds {(info.Index == 0 ? 0 : pause):0.######}\n");
            Gauge(sb, $"dotnet_gc_last_gen2_{label}_index", $"Collection number of the last {label} gen2 collection (0 if none).", info.Index);
        }
        Counter(sb, "dotnet_jit_compiled_methods_total", "Methods JIT-compiled since start (tier-up and OSR recompilations included).", System.Runtime.JitInfo.GetCompiledMethodCount());
        sb.Append(CultureInfo.InvariantCulture, $"# HELP dotnet_jit_compilation_seconds_total Time spent JIT-compiling since start.\n# TYPE dotnet_jit_compilation_seconds_total counter\ndotnet_jit_compilation_seconds_total {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.######}\n");
        Counter(sb, "dotnet_threadpool_completed_items_total", "Thread-pool work items completed since start.", ThreadPool.CompletedWorkItemCount);
        Gauge(sb, "dotnet_threadpool_threads", "Thread-pool threads now.", ThreadPool.ThreadCount);
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, string name, string help, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    private static void Gauge(StringBuilder sb, string name, string help, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");

    private sealed class StrongBox { public long Value; }
}
