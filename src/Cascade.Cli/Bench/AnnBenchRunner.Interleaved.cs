using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cascade.Index;

namespace Cascade.Cli.Bench;

internal sealed partial class AnnBenchRunner
{
    /// <summary>One side of the interleaved comparison: a Cascade index in one precision, or the hnswlib worker.</summary>
    private sealed class Contestant(string name, HnswIndex? index)
    {
        public string Name { get; } = name;
        public HnswIndex? Index { get; } = index;
        public Dictionary<int, List<(double Qps, double CpuUs, double Recall)>> Runs { get; } = new();
    }

    /// <summary>
    /// `--data-dir DIR --rounds R`: reuses one saved graph per library on the exported data of DIR and runs the
    /// single-thread sweep interleaved — per round and per ef, every contestant searches all queries once, taking
    /// turns every --block queries (the order flipping each block) — then reports the median and the spread (min, max) of QPS per ef, so a comparison
    /// is decided on medians of runs taken under the same conditions, not on one run each.
    /// </summary>
    private void RunInterleaved(string dir)
    {
        if (settings.Datasets.Length != 1) throw new ArgumentException("--data-dir: pass one --dataset (gmm: inner product, uniform: L2), the one the folder was exported from.");
        var metric = settings.Datasets[0] == "gmm" ? Metric.InnerProduct : Metric.L2;
        var (n, dim) = AnnBenchInput.ReadShape(Path.Combine(dir, "base.fbin"));
        var queries = AnnBenchInput.ReadMatrix(Path.Combine(dir, "queries.fbin"), out int q, out int qDim);
        var truthAll = AnnBenchInput.ReadIds(Path.Combine(dir, "gt.ibin"), out int gtRows, out int gtK);
        if (qDim != dim) throw new InvalidDataException($"{dir}/queries.fbin: D = {qDim}, base.fbin has D = {dim}.");
        if (gtRows != q || gtK < K) throw new InvalidDataException($"{dir}/gt.ibin: {gtRows} × {gtK}, need {q} × ≥ {K} (--k).");
        var truth = new int[q * K];
        for (int i = 0; i < q; i++) Array.Copy(truthAll, i * gtK, truth, i * K, K);
        string tag = $"{settings.Datasets[0]} n={n} d={dim} M={settings.M} efc={settings.EfConstruction}";
        string path = Path.Combine(dir, $"cascade.M{settings.M}.efc{settings.EfConstruction}.hnsw");
        if (!File.Exists(path)) BuildAndSave(dir, path, metric, tag);

        var contestants = new List<Contestant>();
        foreach (var precision in settings.Precisions)
        {
            var sw = Stopwatch.StartNew();
            double cpu0 = ThreadCpuSeconds();
            var index = HnswIndex.Load(path, precision);
            string name = $"cascade precision={precision.ToString().ToLowerInvariant()}";
            Add($"{name} load {tag}", "load_s", sw.Elapsed.TotalSeconds, "s");
            Add($"{name} load {tag}", "load_cpu_s", ThreadCpuSeconds() - cpu0, "CPU-s");
            Add($"{name} memory {tag}", "memory_mb", index.MemoryBytes / 1e6, "MB");
            if (index.Count != n) throw new InvalidDataException($"{path}: holds {index.Count} items, base.fbin has {n}; delete it to rebuild.");
            Log($"{tag}: loaded {path} as {precision} in {sw.Elapsed.TotalSeconds:F2} s ({index.MemoryBytes / 1e6:F0} MB)");
            contestants.Add(new Contestant(name, index));
        }
        using var worker = settings.Compare ? HnswlibWorker.Start(settings, dir, metric == Metric.L2 ? "l2" : "ip") : null;
        if (worker is not null) contestants.Add(new Contestant("hnswlib", null));

        foreach (var c in contestants) // untimed: first touches of the graph, tiered JIT
            foreach (int ef in settings.Efs) Block(c, worker, queries, truth, dim, ef, 0, Math.Min(q, 1_000));
        for (int round = 0; round < settings.Rounds; round++)
        {
            Log($"{tag}: round {round + 1} of {settings.Rounds}");
            foreach (int ef in settings.Efs)
            {
                // Contestants alternate every block of queries (order flipping each block), so a change in machine
                // load within a sweep hits all of them alike; each one's times are summed over its blocks.
                var sums = new (double Wall, double Cpu, long Hits)[contestants.Count];
                int b = 0;
                for (int start = 0; start < q; start += settings.Block, b++)
                {
                    int count = Math.Min(settings.Block, q - start);
                    for (int j = 0; j < contestants.Count; j++)
                    {
                        int at = (round + b) % 2 == 0 ? j : contestants.Count - 1 - j;
                        var r = Block(contestants[at], worker, queries, truth, dim, ef, start, count);
                        sums[at] = (sums[at].Wall + r.Wall, sums[at].Cpu + r.Cpu, sums[at].Hits + r.Hits);
                    }
                }
                for (int j = 0; j < contestants.Count; j++)
                {
                    if (!contestants[j].Runs.TryGetValue(ef, out var list)) contestants[j].Runs[ef] = list = new();
                    list.Add((q / sums[j].Wall, sums[j].Cpu / q * 1e6, sums[j].Hits / (double)((long)q * K)));
                }
            }
        }
        ReportInterleaved(contestants, tag);
    }

    private void BuildAndSave(string dir, string path, Metric metric, string tag)
    {
        var data = AnnBenchInput.ReadMatrix(Path.Combine(dir, "base.fbin"), out int n, out int dim);
        var index = new HnswIndex(dim, new HnswOptions { Metric = metric, M = settings.M, EfConstruction = settings.EfConstruction, Seed = 42 });
        Log($"{tag}: {path} missing, building (1 thread) — once; later runs load it");
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            index.Upsert(i, data.AsSpan(i * dim, dim));
            if ((i + 1) % 100_000 == 0) Log($"  built {i + 1:N0} in {sw.Elapsed.TotalSeconds:F1} s");
        }
        Add($"cascade hnsw build {tag} threads=1", "build_s", sw.Elapsed.TotalSeconds, "s");
        index.Save(path);
    }

    /// <summary>Searches queries [start, start + count) once at <paramref name="ef"/>: wall seconds, CPU seconds, hits against the truth.</summary>
    private (double Wall, double Cpu, long Hits) Block(Contestant c, HnswlibWorker? worker, float[] queries, int[] truth, int dim, int ef, int start, int count)
    {
        if (c.Index is null) return worker!.Block(ef, start, count);
        var buffer = new SearchResult[K];
        var found = new int[count * K];
        double cpu0 = ThreadCpuSeconds();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            int got = c.Index.Search(queries.AsSpan((start + i) * dim, dim), K, ef, buffer);
            for (int j = 0; j < K; j++) found[i * K + j] = j < got ? (int)buffer[j].Id : -1;
        }
        double wall = sw.Elapsed.TotalSeconds, cpu = ThreadCpuSeconds() - cpu0;
        return (wall, cpu, (long)Math.Round(Recall(found, truth.AsSpan(start * K, count * K).ToArray(), count) * count * K));
    }

    private void ReportInterleaved(List<Contestant> contestants, string tag)
    {
        var table = new StringBuilder();
        table.AppendLine($"| ef | {string.Join(" | ", contestants.Select(c => $"{c.Name} recall@{K} | QPS median (min–max) | µs CPU/query"))} |");
        table.AppendLine($"|---:|{string.Concat(Enumerable.Repeat("---:|---:|---:|", contestants.Count))}");
        var hnswlib = contestants.FirstOrDefault(c => c.Index is null);
        foreach (int ef in settings.Efs)
        {
            table.Append($"| {ef} |");
            foreach (var c in contestants)
            {
                var runs = c.Runs[ef];
                double median = Median(runs.Select(r => r.Qps)), cpu = Median(runs.Select(r => r.CpuUs));
                double recall = runs[0].Recall;
                string name = $"{c.Name} {tag} ef={ef} threads=1 interleaved rounds={runs.Count}";
                Add(name, $"recall@{K}", recall, "");
                Add(name, "qps_median", median, "queries/s");
                Add(name, "qps_min", runs.Min(r => r.Qps), "queries/s");
                Add(name, "qps_max", runs.Max(r => r.Qps), "queries/s");
                Add(name, "us_per_query_cpu_median", cpu, "µs/query (CPU)");
                if (hnswlib is not null && c != hnswlib)
                    Add($"{c.Name} vs hnswlib {tag} ef={ef} threads=1 interleaved", "qps_median_ratio", median / Median(hnswlib.Runs[ef].Select(r => r.Qps)), "×");
                table.Append(CultureInfo.InvariantCulture, $" {recall:F4} | {median:N0} ({runs.Min(r => r.Qps):N0}–{runs.Max(r => r.Qps):N0}) | {cpu:F1} |");
            }
            table.AppendLine();
        }
        Log($"{tag}: medians of {settings.Rounds} interleaved rounds\n{table}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>bench/ann/interleave_worker.py under /usr/bin/python3, driven one command per line.</summary>
    private sealed class HnswlibWorker : IDisposable
    {
        private readonly Process _process;

        private HnswlibWorker(Process process) => _process = process;

        public static HnswlibWorker Start(AnnBenchSettings settings, string dir, string metric)
        {
            string script = Path.Combine(Path.GetDirectoryName(settings.Script) ?? ".", "interleave_worker.py");
            if (!File.Exists(script)) throw new FileNotFoundException($"--compare: {script} not found (run from the repository root or pass --script bench/ann/compare.py).");
            const string python = "/usr/bin/python3";
            if (!File.Exists(python)) throw new FileNotFoundException($"--compare: {python} not found; install python3-hnswlib with apt-get.");
            var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true };
            foreach (var a in new[] { script, "--dir", dir, "--metric", metric, "--m", settings.M.ToString(CultureInfo.InvariantCulture),
                "--ef-construction", settings.EfConstruction.ToString(CultureInfo.InvariantCulture), "--k", settings.K.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            var worker = new HnswlibWorker(Process.Start(psi) ?? throw new InvalidOperationException("--compare: could not start python"));
            worker.ReadReply("start-up");
            return worker;
        }

        /// <summary>One timed search of queries [start, start + count) at <paramref name="ef"/>: wall seconds, CPU seconds, hits.</summary>
        public (double Wall, double Cpu, long Hits) Block(int ef, int start, int count)
        {
            _process.StandardInput.WriteLine($"block {ef} {start} {count}");
            _process.StandardInput.Flush();
            using var doc = ReadReply($"block ef={ef} start={start}");
            var r = doc.RootElement;
            return (r.GetProperty("seconds").GetDouble(), r.GetProperty("cpu_seconds").GetDouble(), r.GetProperty("hits").GetInt64());
        }

        private JsonDocument ReadReply(string what)
        {
            string? line = _process.StandardOutput.ReadLine();
            if (line is null)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"--compare: the hnswlib worker exited (code {_process.ExitCode}) before answering {what}.");
            }
            var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"--compare: hnswlib worker: {error.GetString()}");
            return doc;
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000)) _process.Kill();
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
