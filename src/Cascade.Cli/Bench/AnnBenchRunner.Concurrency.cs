using System.Diagnostics;
using System.Runtime.InteropServices;
using Cascade.Index;

namespace Cascade.Cli.Bench;

internal sealed partial class AnnBenchRunner
{
    /// <summary>
    /// Read QPS of one search thread alone, with a writer paced at the configured upserts/s, and with a writer flat
    /// out; then recall against ground truth recomputed on the updated corpus (first ≤ 2,000 queries).
    /// </summary>
    private void Concurrency(HnswIndex index, ExactIndex exact, float[] data, float[] queries, int dim, int n, int ef, bool gmm, string tag)
    {
        double seconds = settings.ConcurrencySeconds;
        var pool = gmm ? SyntheticVectors.GaussianMixture(100_000, dim, 1_000, 0.1f, normalize: true, seed: 3) : SyntheticVectors.Uniform(100_000, dim, 3);
        var updated = new Dictionary<int, int>(); // id -> row of pool holding its last vector
        var rng = new Random(4);
        int poolNext = 0;

        var (alone, aloneCpu) = ReadPhase(index, queries, dim, ef, seconds, writer: null);
        Add($"cascade hnsw {tag} ef={ef} reader alone", "qps", alone, "queries/s");
        Add($"cascade hnsw {tag} ef={ef} reader alone", "qps_per_cpu_s", aloneCpu, "queries/CPU-s");

        foreach (bool paced in new[] { true, false })
        {
            long written = 0;
            double writeSeconds = 0, writeCpu = 0;
            void Writer(CancellationToken stop)
            {
                double cpu0 = ThreadCpuSeconds();
                var sw = Stopwatch.StartNew();
                while (!stop.IsCancellationRequested)
                {
                    if (paced)
                    {
                        double due = written / (double)settings.UpsertsPerSecond;
                        double ahead = due - sw.Elapsed.TotalSeconds;
                        if (ahead > 0.002) { Thread.Sleep(1); continue; }
                        if (ahead > 0) { Thread.SpinWait(50); continue; }
                    }
                    int id = rng.Next(n);
                    int row = poolNext++ % 100_000;
                    index.Upsert(id, pool.AsSpan(row * dim, dim));
                    updated[id] = row;
                    written++;
                }
                writeSeconds = sw.Elapsed.TotalSeconds;
                writeCpu = ThreadCpuSeconds() - cpu0;
            }
            var (qps, cpuQps) = ReadPhase(index, queries, dim, ef, seconds, Writer);
            string mode = paced ? $"writer {settings.UpsertsPerSecond}/s" : "writer flat out";
            Add($"cascade hnsw {tag} ef={ef} reader with {mode}", "qps", qps, "queries/s");
            Add($"cascade hnsw {tag} ef={ef} reader with {mode}", "qps_drop_pct", 100 * (1 - qps / alone), "%");
            Add($"cascade hnsw {tag} ef={ef} reader with {mode}", "qps_per_cpu_s", cpuQps, "queries/CPU-s");
            Add($"cascade hnsw {tag} ef={ef} reader with {mode}", "qps_per_cpu_s_drop_pct", 100 * (1 - cpuQps / aloneCpu), "%");
            Add($"cascade hnsw {tag} {mode}", "upserts_per_s", written / writeSeconds, "upserts/s");
            Add($"cascade hnsw {tag} {mode}", "upserts_per_cpu_s", written / writeCpu, "upserts/CPU-s");
        }

        int sub = Math.Min(queries.Length / dim, 2_000);
        var subQueries = queries.AsSpan(0, sub * dim).ToArray();
        foreach (var (id, row) in updated) exact.Upsert(id, pool.AsSpan(row * dim, dim));
        var truth = new SearchResult[sub * K];
        exact.SearchBatch(subQueries, K, truth, Environment.ProcessorCount);
        var results = new SearchResult[sub * K];
        index.SearchBatch(subQueries, K, ef, results, Environment.ProcessorCount);
        Add($"cascade hnsw {tag} ef={ef} after {updated.Count} updated ids", $"recall@{K}", Recall(ToIds(results, sub), ToIds(truth, sub), sub), "");
        var sw = Stopwatch.StartNew();
        index.Compact();
        Add($"cascade hnsw {tag} compact after updates", "compact_s", sw.Elapsed.TotalSeconds, "s");
        var report = index.CheckIntegrity();
        foreach (var problem in report.Problems.Take(10)) Log("  integrity: " + problem);
        Add($"cascade hnsw {tag} integrity after updates", "problems", report.Problems.Count, "");
        Add($"cascade hnsw {tag} integrity after updates", "unreachable_live_nodes", report.LiveNodes - report.ReachableLiveNodes, "");
    }

    /// <summary>
    /// Runs one search thread for <paramref name="seconds"/> while <paramref name="writer"/> (if any) runs beside it.
    /// Returns wall-clock QPS and QPS per CPU-second of the search thread: on a shared 2-core machine the first mixes
    /// in time the reader spent descheduled; the second isolates the writer's real interference (cache and memory
    /// traffic, version-check retries).
    /// </summary>
    private (double Qps, double CpuQps) ReadPhase(HnswIndex index, float[] queries, int dim, int ef, double seconds, Action<CancellationToken>? writer)
    {
        using var stop = new CancellationTokenSource();
        var writerThread = writer is null ? null : new Thread(() => writer(stop.Token)) { IsBackground = true };
        writerThread?.Start();
        int q = queries.Length / dim;
        var buffer = new SearchResult[K];
        long count = 0;
        double cpu0 = ThreadCpuSeconds();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 100; i++, count++) index.Search(queries.AsSpan((int)(count % q) * dim, dim), K, ef, buffer);
        }
        double qps = count / sw.Elapsed.TotalSeconds;
        double cpu = ThreadCpuSeconds() - cpu0;
        stop.Cancel();
        writerThread?.Join();
        return (qps, cpu > 0 ? count / cpu : double.NaN);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID on Linux); NaN elsewhere.</summary>
    private static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        const int clockThreadCpuTime = 3;
        return ClockGetTime(clockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : double.NaN;
    }
}
