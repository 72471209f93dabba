using YamlDotNet.RepresentationModel;

namespace Cascade.Serving.Online;

/// <summary>
/// Stage sizes and server limits, read from configs/serving/*.yaml (every key optional; unknown keys are errors).
/// Defaults are the targets: K = 1,000 retrieved, N = 200 pre-ranked, M = 20 ranked.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>
    /// Name of the retrieval model in the bundle (<c>retrieval.model</c>; its ad embeddings are the index). Null: the
    /// bundle's only retrieval model (an error when it holds several).
    /// </summary>
    public string? RetrievalModel { get; init; }
    /// <summary>Name of the pre-ranking model in the bundle (<c>prerank.model</c>); null as for <see cref="RetrievalModel"/>.</summary>
    public string? PrerankModel { get; init; }
    /// <summary>Name of the ranking model in the bundle (<c>rank.model</c>); null as for <see cref="RetrievalModel"/>.</summary>
    public string? RankModel { get; init; }
    /// <summary>The YAML file these options came from (for error messages), or null.</summary>
    public string? Source { get; init; }
    /// <summary>Ads retrieved per request (K).</summary>
    public int RetrievalK { get; init; } = 1000;
    /// <summary>
    /// How retrieval finds the top K: <see cref="RetrievalMethod.Hnsw"/> (graph search) or <see cref="RetrievalMethod.Exact"/>
    /// (a SIMD scan of every ad embedding with a top-K selection; exact, and cheaper than HNSW when K is a large share of
    /// the corpus: docs/design/serving.md gives the crossover).
    /// </summary>
    public RetrievalMethod RetrievalMethod { get; init; } = RetrievalMethod.Hnsw;
    /// <summary>HNSW beam width ef (0 = K).</summary>
    public int RetrievalEf { get; init; }
    /// <summary>Retrieve only eligible ads (not paused, budget and bid &gt; 0) by filtering during the graph search.</summary>
    public bool FilterEligible { get; init; } = true;
    /// <summary>Ads kept by pre-ranking (N).</summary>
    public int PrerankN { get; init; } = 200;
    /// <summary>Ads kept by ranking (M), by eCPM.</summary>
    public int RankM { get; init; } = 20;
    /// <summary>Ads returned when the request does not say.</summary>
    public int DefaultCount { get; init; } = 10;
    /// <summary>Largest "count" a request may ask for.</summary>
    public int MaxCount { get; init; } = 100;
    /// <summary>Request deadline; a request still running after it is cancelled and answered 503.</summary>
    public int DeadlineMs { get; init; } = 250;
    /// <summary>Largest accepted request body in bytes (413 above).</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;
    /// <summary>Recommend requests in flight before new ones are shed with 429.</summary>
    public int MaxConcurrentRequests { get; init; } = 64;
    /// <summary>
    /// Thread-pool work items waiting before new recommend requests are shed with 429: under CPU saturation requests
    /// queue in the thread pool before they reach the in-flight limit, so this bounds that queue too.
    /// </summary>
    public int MaxPendingWork { get; init; } = 256;
    /// <summary>Ad events waiting for the durable log or the updater before new ones are refused with 503.</summary>
    public int EventQueueCapacity { get; init; } = 20_000;
    /// <summary>Largest number of features in one request or ad.</summary>
    public int MaxFeatures { get; init; } = 256;
    /// <summary>
    /// Threads one GEMM may use while serving (<c>engine.gemm_threads</c>; 0 = every core). Default 1: requests already
    /// run in parallel, and handing a 20×300×300 ranking GEMM to the pool costs more than it saves once both cores
    /// are busy with requests (the rank stage measured 0.47 ms median on a quiet machine and 15 ms under load).
    /// Applied process-wide (<see cref="Cascade.Kernels.Gemm.MaxThreads"/>) by the server and <c>cascade bench serving</c>.
    /// </summary>
    public int GemmThreads { get; init; } = 1;

    /// <summary>
    /// Split scoring (<c>engine.split_scoring</c>, default true): pre-ranking scores the cached ad representations
    /// straight from spans when the model implements <see cref="Cascade.Models.IRepresentationScorer"/>, and ranking
    /// uses the model's <see cref="Cascade.Models.SplitCtrScorer"/> (request part once, per-ad caches) when it has one;
    /// false runs the batched tensor forwards (the reference path, for A/B measurements).
    /// </summary>
    public bool SplitScoring { get; init; } = true;

    /// <summary>
    /// Start-up warm-up limit (<c>engine.warmup_seconds</c>, default 10; 0 = none): before /readyz answers ready, the
    /// server sends itself recommend requests over loopback HTTP until the JIT has gone quiet (at least 2 s, at most
    /// this long), so the first real requests meet optimised code instead of a cold process (docs/design/serving.md,
    /// "Start-up warm-up").
    /// </summary>
    public double WarmupSeconds { get; init; } = 10;

    /// <summary>
    /// Garbage-collector latency mode of the serving process (<c>engine.low_latency_gc</c>, default true):
    /// <see cref="System.Runtime.GCLatencyMode.SustainedLowLatency"/>, so that full collections run in the background
    /// beside requests instead of stopping them. With the default (interactive) mode the collector chose a blocking,
    /// compacting gen2 of the 450 MB heap about every 90 s under 1,000 req/s + 1,000 events/s: a 150–165 ms pause
    /// every request waited out (docs/design/serving.md, "Garbage collection").
    /// </summary>
    public bool LowLatencyGc { get; init; } = true;

    /// <summary>Sets <see cref="Cascade.Kernels.Gemm.MaxThreads"/> from <see cref="GemmThreads"/> (0 = every core).</summary>
    public void ApplyGemmThreads() => Cascade.Kernels.Gemm.MaxThreads = GemmThreads == 0 ? Environment.ProcessorCount : GemmThreads;

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the key.</summary>
    public ServingOptions Validate()
    {
        static void Positive(int v, string key) { if (v <= 0) throw new ArgumentException($"{key} must be > 0 (got {v})."); }
        Positive(RetrievalK, "retrieval.k"); Positive(PrerankN, "prerank.n"); Positive(RankM, "rank.m");
        Positive(DefaultCount, "auction.default_count"); Positive(MaxCount, "auction.max_count"); Positive(DeadlineMs, "http.deadline_ms");
        Positive(MaxBodyBytes, "http.max_body_bytes"); Positive(MaxConcurrentRequests, "http.max_concurrent_requests"); Positive(MaxPendingWork, "http.max_pending_work");
        Positive(EventQueueCapacity, "nearline.queue_capacity"); Positive(MaxFeatures, "http.max_features");
        if (!(WarmupSeconds >= 0 && WarmupSeconds <= 600)) throw new ArgumentException($"engine.warmup_seconds must be in 0..600 (got {WarmupSeconds}).");
        if (GemmThreads < 0) throw new ArgumentException($"engine.gemm_threads must be ≥ 0 (got {GemmThreads}; 0 = every core).");
        if (RetrievalEf < 0) throw new ArgumentException($"retrieval.ef must be ≥ 0 (got {RetrievalEf}).");
        if (PrerankN > RetrievalK) throw new ArgumentException($"prerank.n ({PrerankN}) must be ≤ retrieval.k ({RetrievalK}).");
        if (RankM > PrerankN) throw new ArgumentException($"rank.m ({RankM}) must be ≤ prerank.n ({PrerankN}).");
        if (DefaultCount > MaxCount) throw new ArgumentException($"auction.default_count ({DefaultCount}) must be ≤ auction.max_count ({MaxCount}).");
        return this;
    }

    /// <summary>Reads a serving YAML file (sections retrieval, prerank, rank, auction, http, nearline, engine).</summary>
    public static ServingOptions LoadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: serving config not found.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses serving YAML; errors name the file and key.</summary>
    public static ServingOptions Parse(string yaml, string file = "<string>")
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlDotNet.Core.YamlException e) { throw new FormatException($"{file}:{e.Start.Line}: {e.Message}", e); }
        var o = new ServingOptions { Source = file };
        if (stream.Documents.Count == 0) return o;
        if (stream.Documents[0].RootNode is not YamlMappingNode root) throw new FormatException($"{file}: expected a mapping at the top level.");
        if (root.Children.TryGetValue(new YamlScalarNode("serving"), out var inner)) root = inner as YamlMappingNode ?? throw new FormatException($"{file}: 'serving' must be a mapping.");
        foreach (var (k, v) in root.Children)
        {
            string section = ((YamlScalarNode)k).Value ?? "";
            if (v is not YamlMappingNode map) throw new FormatException($"{file}:{k.Start.Line}: section '{section}' must be a mapping.");
            foreach (var (kk, vv) in map.Children)
            {
                string key = $"{section}.{((YamlScalarNode)kk).Value}";
                string text = (vv as YamlScalarNode)?.Value ?? throw new FormatException($"{file}:{kk.Start.Line}: {key} must be a scalar.");
                int Int() => int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x
                    : throw new FormatException($"{file}:{vv.Start.Line}: {key} must be an integer (got '{text}').");
                RetrievalMethod Method() => text switch
                {
                    "hnsw" => RetrievalMethod.Hnsw,
                    "exact" => RetrievalMethod.Exact,
                    _ => throw new FormatException($"{file}:{vv.Start.Line}: {key} must be hnsw or exact (got '{text}')."),
                };
                string Name() => text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? text
                    : throw new FormatException($"{file}:{vv.Start.Line}: {key} must be a model name of the bundle (letters, digits, '-', '_'; got '{text}').");
                double Double() => double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x
                    : throw new FormatException($"{file}:{vv.Start.Line}: {key} must be a number (got '{text}').");
                bool Bool() => bool.TryParse(text, out var b) ? b : throw new FormatException($"{file}:{vv.Start.Line}: {key} must be true or false (got '{text}').");
                o = key switch
                {
                    "retrieval.model" => o with { RetrievalModel = Name() },
                    "prerank.model" => o with { PrerankModel = Name() },
                    "rank.model" => o with { RankModel = Name() },
                    "retrieval.k" => o with { RetrievalK = Int() },
                    "retrieval.ef" => o with { RetrievalEf = Int() },
                    "retrieval.method" => o with { RetrievalMethod = Method() },
                    "retrieval.filter_eligible" => o with { FilterEligible = Bool() },
                    "prerank.n" => o with { PrerankN = Int() },
                    "rank.m" => o with { RankM = Int() },
                    "auction.default_count" => o with { DefaultCount = Int() },
                    "auction.max_count" => o with { MaxCount = Int() },
                    "http.deadline_ms" => o with { DeadlineMs = Int() },
                    "http.max_body_bytes" => o with { MaxBodyBytes = Int() },
                    "http.max_concurrent_requests" => o with { MaxConcurrentRequests = Int() },
                    "http.max_features" => o with { MaxFeatures = Int() },
                    "http.max_pending_work" => o with { MaxPendingWork = Int() },
                    "nearline.queue_capacity" => o with { EventQueueCapacity = Int() },
                    "engine.gemm_threads" => o with { GemmThreads = Int() },
                    "engine.split_scoring" => o with { SplitScoring = Bool() },
                    "engine.warmup_seconds" => o with { WarmupSeconds = Double() },
                    "engine.low_latency_gc" => o with { LowLatencyGc = Bool() },
                    _ => throw new FormatException($"{file}:{kk.Start.Line}: unknown key '{key}'. Known: retrieval.model, retrieval.method, retrieval.k, retrieval.ef, retrieval.filter_eligible, prerank.model, prerank.n, rank.model, rank.m, auction.default_count, auction.max_count, http.deadline_ms, http.max_body_bytes, http.max_concurrent_requests, http.max_features, http.max_pending_work, nearline.queue_capacity, engine.gemm_threads, engine.split_scoring, engine.warmup_seconds, engine.low_latency_gc."),
                };
            }
        }
        try { return o.Validate(); }
        catch (ArgumentException e) { throw new FormatException($"{file}: {e.Message}", e); }
    }
}

/// <summary>How the retrieval stage finds its top K.</summary>
public enum RetrievalMethod
{
    /// <summary>HNSW graph search with beam width max(K, ef): approximate, sub-linear in the corpus.</summary>
    Hnsw,
    /// <summary>Exact: every ad embedding is scored (SIMD dot products) and the K best kept; linear in the corpus.</summary>
    Exact,
}
