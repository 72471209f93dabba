using System.CommandLine;
using Cascade.Index;

namespace Cascade.Cli.Bench;

/// <summary>
/// `cascade bench ann`: builds HNSW on the seeded benchmark corpora, measures build time, recall@10 and QPS per ef,
/// two-thread batch QPS, memory, load time and read throughput under concurrent writers; optionally runs hnswlib and
/// faiss on the identical data (bench/ann/compare.py with Debian's python3-hnswlib and python3-faiss).
/// </summary>
public static class BenchAnnCommand
{
    /// <summary>Creates the "ann" subcommand of `cascade bench`.</summary>
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "gmm (N × 32 unit vectors, 1,000-cluster mixture, inner product), uniform (N × 64 uniform, L2) or all.", DefaultValueFactory = _ => "all" };
        var n = new Option<int?>("--n") { Description = "Corpus size (default 1,000,000 for gmm, 100,000 for uniform)." };
        var queries = new Option<int>("--queries") { Description = "Number of queries.", DefaultValueFactory = _ => 10_000 };
        var m = new Option<int>("--m") { Description = "HNSW M (links per node; 2M on level 0).", DefaultValueFactory = _ => 16 };
        var efc = new Option<int>("--ef-construction") { Description = "Beam width while building.", DefaultValueFactory = _ => 200 };
        var efs = new Option<string>("--ef") { Description = "Comma-separated search beam widths.", DefaultValueFactory = _ => "10,20,40,80,120,200,400" };
        var seconds = new Option<double>("--concurrency-seconds") { Description = "Seconds per read-throughput phase (alone, with 1,000 upserts/s, with a writer flat out); 0 skips them.", DefaultValueFactory = _ => 5 };
        var rate = new Option<int>("--upserts-per-second") { Description = "Paced writer rate of the second concurrency phase.", DefaultValueFactory = _ => 1_000 };
        var compare = new Option<bool>("--compare") { Description = "Also run hnswlib and faiss on the same data via bench/ann/compare.py (/usr/bin/python3)." };
        var export = new Option<string?>("--export") { Description = "Folder for the data files (base.fbin, queries.fbin, gt.ibin); a temporary folder by default." };
        var script = new Option<string>("--script") { Description = "Path of compare.py.", DefaultValueFactory = _ => "bench/ann/compare.py" };
        var k = new Option<int>("--k") { Description = "Results per query: ground-truth depth and the k of recall@k (serving retrieves 1,000).", DefaultValueFactory = _ => 10 };
        var faissThreads = new Option<int>("--faiss-build-threads") { Description = "OpenMP threads for the faiss build under --compare (its searches stay single-threaded).", DefaultValueFactory = _ => 1 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Interleaved comparison on a folder written by --export: load (or build once and save) one graph per library, then run the single-thread sweep --rounds times, alternating contestants per ef, and report median and min–max QPS." };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds under --data-dir.", DefaultValueFactory = _ => 5 };
        var block = new Option<int>("--block") { Description = "Under --data-dir, contestants take turns every this many queries.", DefaultValueFactory = _ => 1_000 };
        var precision = new Option<string>("--precision") { Description = "Traversal precision of the Cascade index: bfloat16, float32 or both (under --data-dir both are measured; otherwise the first).", DefaultValueFactory = _ => "both" };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout (progress goes to stderr)." };
        var cmd = new Command("ann", "Benchmark the HNSW index (recall/QPS per ef, build, memory, concurrency), optionally against hnswlib and faiss.")
        {
            dataset, n, queries, m, efc, efs, seconds, rate, compare, export, script, k, faissThreads, dataDir, rounds, block, precision, json,
        };
        cmd.SetAction(parse =>
        {
            var settings = new AnnBenchSettings
            {
                Datasets = parse.GetValue(dataset)!.ToLowerInvariant() switch
                {
                    "all" => ["gmm", "uniform"],
                    "gmm" => ["gmm"],
                    "uniform" => ["uniform"],
                    var other => throw new ArgumentException($"--dataset: unknown value '{other}'; use gmm, uniform or all."),
                },
                N = parse.GetValue(n),
                Queries = parse.GetValue(queries),
                M = parse.GetValue(m),
                EfConstruction = parse.GetValue(efc),
                Efs = ParseEfs(parse.GetValue(efs)!),
                ConcurrencySeconds = parse.GetValue(seconds),
                UpsertsPerSecond = parse.GetValue(rate),
                Compare = parse.GetValue(compare),
                ExportDir = parse.GetValue(export),
                Script = parse.GetValue(script)!,
                K = Positive(parse.GetValue(k), "--k"),
                FaissBuildThreads = Positive(parse.GetValue(faissThreads), "--faiss-build-threads"),
                DataDir = parse.GetValue(dataDir),
                Rounds = Positive(parse.GetValue(rounds), "--rounds"),
                Block = Positive(parse.GetValue(block), "--block"),
                Precisions = parse.GetValue(precision)!.ToLowerInvariant() switch
                {
                    "both" => [TraversalPrecision.BFloat16, TraversalPrecision.Float32],
                    "bfloat16" => [TraversalPrecision.BFloat16],
                    "float32" => [TraversalPrecision.Float32],
                    var other => throw new ArgumentException($"--precision: unknown value '{other}'; use bfloat16, float32 or both."),
                },
                Json = parse.GetValue(json),
            };
            return new AnnBenchRunner(settings).Run();
        });
        return cmd;
    }

    private static int Positive(int value, string option)
        => value >= 1 ? value : throw new ArgumentException($"{option}: must be ≥ 1, got {value}.");

    private static int[] ParseEfs(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var efs = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out efs[i]) || efs[i] < 1) throw new ArgumentException($"--ef: '{parts[i]}' is not a positive integer.");
        }
        return efs;
    }
}

/// <summary>Settings of one `cascade bench ann` run.</summary>
public sealed record AnnBenchSettings
{
    /// <summary>Datasets to run: "gmm" and/or "uniform".</summary>
    public required string[] Datasets { get; init; }
    /// <summary>Corpus size override; null uses each dataset's default.</summary>
    public int? N { get; init; }
    /// <summary>Number of queries.</summary>
    public int Queries { get; init; }
    /// <summary>HNSW M.</summary>
    public int M { get; init; }
    /// <summary>HNSW efConstruction.</summary>
    public int EfConstruction { get; init; }
    /// <summary>Search beam widths.</summary>
    public required int[] Efs { get; init; }
    /// <summary>Results per query (recall@k, ground-truth depth).</summary>
    public int K { get; init; } = 10;
    /// <summary>OpenMP threads of the faiss build under --compare.</summary>
    public int FaissBuildThreads { get; init; } = 1;
    /// <summary>Seconds per concurrency phase; 0 skips the concurrency phases.</summary>
    public double ConcurrencySeconds { get; init; }
    /// <summary>Paced writer rate.</summary>
    public int UpsertsPerSecond { get; init; }
    /// <summary>Run hnswlib and faiss too.</summary>
    public bool Compare { get; init; }
    /// <summary>Folder for the data files.</summary>
    public string? ExportDir { get; init; }
    /// <summary>Path of compare.py.</summary>
    public required string Script { get; init; }
    /// <summary>Folder of exported data for the interleaved comparison; null runs the full benchmark.</summary>
    public string? DataDir { get; init; }
    /// <summary>Interleaved rounds.</summary>
    public int Rounds { get; init; } = 5;
    /// <summary>Queries per turn in the interleaved comparison.</summary>
    public int Block { get; init; } = 1_000;
    /// <summary>Traversal precisions of the Cascade index (the full benchmark uses the first).</summary>
    public TraversalPrecision[] Precisions { get; init; } = [TraversalPrecision.BFloat16];
    /// <summary>JSON output.</summary>
    public bool Json { get; init; }
}
