using System.Diagnostics;
using System.Runtime.Intrinsics;
using Cascade.Index;

namespace Cascade.Cli.Bench;

/// <summary>One measured figure: case (dataset, size and settings spelled out), metric name, value and unit.</summary>
internal sealed record AnnBenchResult(string Case, string Metric, double Value, string Unit);

/// <summary>Runs `cascade bench ann`: data generation, build, recall/QPS sweep, persistence, concurrency, comparison.</summary>
internal sealed partial class AnnBenchRunner(AnnBenchSettings settings)
{
    private readonly int K = settings.K; // results per query, ground-truth depth and the k of recall@k
    private readonly List<AnnBenchResult> _results = new();

    public int Run()
    {
        if (settings.DataDir is not null)
        {
            RunInterleaved(settings.DataDir);
            if (settings.Json) AnnBenchOutput.WriteJson(_results, Console.Out);
            else AnnBenchOutput.WriteTable(_results, Console.Out);
            return 0;
        }
        string dir = settings.ExportDir ?? Directory.CreateTempSubdirectory("cascade-ann-").FullName;
        Directory.CreateDirectory(dir);
        foreach (string name in settings.Datasets) RunDataset(name, Path.Combine(dir, name));
        if (settings.ExportDir is null) Directory.Delete(dir, recursive: true);
        if (settings.Json) AnnBenchOutput.WriteJson(_results, Console.Out);
        else AnnBenchOutput.WriteTable(_results, Console.Out);
        return 0;
    }

    private void Add(string @case, string metric, double value, string unit)
    {
        _results.Add(new AnnBenchResult(@case, metric, value, unit));
        Log($"  {@case}  {metric} = {value:G5} {unit}");
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    private void RunDataset(string name, string dir)
    {
        bool gmm = name == "gmm";
        int dim = gmm ? 32 : 64;
        var metric = gmm ? Metric.InnerProduct : Metric.L2;
        int n = settings.N ?? (gmm ? 1_000_000 : 100_000);
        int q = settings.Queries;
        string tag = $"{name} n={n} d={dim}";
        Log($"{tag}: generating data (seeded)");
        // σ = 0.1 per component around unit centres: clusters overlap at their edges (noise norm ≈ 0.57 at D = 32).
        var data = gmm ? SyntheticVectors.GaussianMixture(n, dim, 1_000, 0.1f, normalize: true, seed: 1) : SyntheticVectors.Uniform(n, dim, 1);
        var queries = gmm ? SyntheticVectors.GaussianMixture(q, dim, 1_000, 0.1f, normalize: true, seed: 2) : SyntheticVectors.Uniform(q, dim, 2);

        Log($"{tag}: exact ground truth ({q} queries, {Environment.ProcessorCount} threads)");
        var exact = new ExactIndex(dim, metric);
        for (int i = 0; i < n; i++) exact.Upsert(i, data.AsSpan(i * dim, dim));
        var truth = new SearchResult[q * K];
        var sw = Stopwatch.StartNew();
        exact.SearchBatch(queries, K, truth, Environment.ProcessorCount);
        Add($"exact {tag} threads={Environment.ProcessorCount}", "qps", q / sw.Elapsed.TotalSeconds, "queries/s");
        var truthIds = ToIds(truth, q);
        ExactSingle(exact, queries, dim, tag);

        Directory.CreateDirectory(dir);
        AnnBenchOutput.WriteMatrix(Path.Combine(dir, "base.fbin"), data, n, dim);
        AnnBenchOutput.WriteMatrix(Path.Combine(dir, "queries.fbin"), queries, q, dim);
        AnnBenchOutput.WriteIds(Path.Combine(dir, "gt.ibin"), truthIds, q, K);

        var options = new HnswOptions { Metric = metric, M = settings.M, EfConstruction = settings.EfConstruction, Seed = 42, TraversalPrecision = settings.Precisions[0] };
        string hnswTag = $"{tag} M={settings.M} efc={settings.EfConstruction} precision={settings.Precisions[0].ToString().ToLowerInvariant()}";
        Log($"{hnswTag}: building (1 thread)");
        var index = new HnswIndex(dim, options);
        sw.Restart();
        for (int i = 0; i < n; i++)
        {
            index.Upsert(i, data.AsSpan(i * dim, dim));
            if ((i + 1) % 100_000 == 0) Log($"  built {i + 1:N0} in {sw.Elapsed.TotalSeconds:F1} s");
        }
        Add($"cascade hnsw build {hnswTag} threads=1", "build_s", sw.Elapsed.TotalSeconds, "s");
        Add($"cascade hnsw memory {hnswTag}", "memory_mb", index.MemoryBytes / 1e6, "MB");

        int bestEf = SweepEf(index, queries, truthIds, dim, hnswTag);
        BatchQps(index, queries, truthIds, dim, bestEf, hnswTag);
        Persistence(index, dir, hnswTag);
        if (settings.ConcurrencySeconds > 0) Concurrency(index, exact, data, queries, dim, n, bestEf, gmm, hnswTag);

        if (settings.Compare) RunPython(dir, gmm ? "ip" : "l2", tag, bestEf);
    }

    /// <summary>Single-thread recall@10 and QPS for every ef; returns the smallest ef reaching recall ≥ 0.95.</summary>
    private int SweepEf(HnswIndex index, float[] queries, int[] truthIds, int dim, string tag)
    {
        int q = queries.Length / dim;
        var buffer = new SearchResult[K];
        var found = new int[q * K];
        for (int i = 0; i < Math.Min(q, 500); i++) index.Search(queries.AsSpan(i * dim, dim), K, settings.Efs[0], buffer);
        int bestEf = settings.Efs[^1];
        foreach (int ef in settings.Efs)
        {
            double cpu0 = ThreadCpuSeconds();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < q; i++)
            {
                int got = index.Search(queries.AsSpan(i * dim, dim), K, ef, buffer);
                for (int j = 0; j < K; j++) found[i * K + j] = j < got ? (int)buffer[j].Id : -1;
            }
            double qps = q / sw.Elapsed.TotalSeconds;
            double cpu = ThreadCpuSeconds() - cpu0;
            double recall = Recall(found, truthIds, q);
            Add($"cascade hnsw {tag} ef={ef} threads=1", $"recall@{K}", recall, "");
            Add($"cascade hnsw {tag} ef={ef} threads=1", "qps", qps, "queries/s");
            Add($"cascade hnsw {tag} ef={ef} threads=1", "us_per_query_cpu", cpu / q * 1e6, "µs/query (thread CPU)");
            if (recall >= 0.95 && ef < bestEf) bestEf = ef;
        }
        return bestEf;
    }

    /// <summary>
    /// The exact scan one query at a time (<see cref="ExactIndex.Search(ReadOnlySpan{float}, int, Span{SearchResult})"/>,
    /// one thread) at the same k: the alternative to HNSW when k is a large share of a small corpus.
    /// </summary>
    private void ExactSingle(ExactIndex exact, float[] queries, int dim, string tag)
    {
        int q = Math.Min(queries.Length / dim, 1_000);
        var buffer = new SearchResult[K];
        for (int i = 0; i < Math.Min(q, 50); i++) exact.Search(queries.AsSpan(i * dim, dim), K, buffer);
        double cpu0 = ThreadCpuSeconds();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < q; i++) exact.Search(queries.AsSpan(i * dim, dim), K, buffer);
        double wall = sw.Elapsed.TotalSeconds, cpu = ThreadCpuSeconds() - cpu0;
        Add($"exact {tag} k={K} threads=1 single", "qps", q / wall, "queries/s");
        Add($"exact {tag} k={K} threads=1 single", "us_per_query_cpu", cpu / q * 1e6, "µs/query (thread CPU)");
    }

    private void BatchQps(HnswIndex index, float[] queries, int[] truthIds, int dim, int ef, string tag)
    {
        int q = queries.Length / dim;
        var results = new SearchResult[q * K];
        var sw = Stopwatch.StartNew();
        index.SearchBatch(queries, K, ef, results, threads: 2);
        Add($"cascade hnsw {tag} ef={ef} threads=2 batch", "qps", q / sw.Elapsed.TotalSeconds, "queries/s");
        Add($"cascade hnsw {tag} ef={ef} threads=2 batch", $"recall@{K}", Recall(ToIds(results, q), truthIds, q), "");
    }

    private void Persistence(HnswIndex index, string dir, string tag)
    {
        string path = Path.Combine(dir, "index.hnsw");
        var sw = Stopwatch.StartNew();
        index.Save(path);
        Add($"cascade hnsw save {tag}", "save_s", sw.Elapsed.TotalSeconds, "s");
        Add($"cascade hnsw file {tag}", "file_mb", new FileInfo(path).Length / 1e6, "MB");
        sw.Restart();
        double cpu0 = ThreadCpuSeconds();
        var loaded = HnswIndex.Load(path);
        Add($"cascade hnsw load {tag}", "load_s", sw.Elapsed.TotalSeconds, "s");
        Add($"cascade hnsw load {tag}", "load_cpu_s", ThreadCpuSeconds() - cpu0, "CPU-s");
        if (loaded.Count != index.Count) throw new InvalidOperationException($"load returned {loaded.Count} items, saved {index.Count}");
        File.Delete(path);
    }

    private int[] ToIds(SearchResult[] results, int q)
    {
        var ids = new int[q * K];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)results[i].Id;
        return ids;
    }

    private double Recall(int[] found, int[] truth, int q)
    {
        long hits = 0;
        var set = new HashSet<int>();
        for (int i = 0; i < q; i++)
        {
            set.Clear();
            for (int j = 0; j < K; j++) set.Add(truth[i * K + j]);
            for (int j = 0; j < K; j++) if (found[i * K + j] >= 0 && set.Contains(found[i * K + j])) hits++;
        }
        return hits / (double)(q * K);
    }

    internal static string SimdName() => Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";
}
