using System.CommandLine;
using System.Diagnostics;
using Cascade.Kernels;

namespace Cascade.Cli.Bench;

/// <summary>
/// `cascade bench gemm [--threads N] [--rounds R] [--json]`: Cascade's SGEMM GFLOP/s on the standard shapes — a
/// 2048-row batch through a 320→320 layer (forward A·B, backward dY·Wᵀ and Xᵀ·dY), a 256×300×300 tower layer and
/// 1024³. Each figure is the best of R timed batches of ≥ 50 ms (the least disturbed one on a shared machine).
/// The OpenBLAS side-by-side lives in bench/Cascade.Benchmarks (`gemm-compare`), never in src/.
/// </summary>
internal static class BenchGemmCommand
{
    private static readonly (string Name, bool TransA, bool TransB, int M, int N, int K)[] Shapes =
    [
        ("fwd", false, false, 2048, 320, 320),
        ("bwd-dx", false, true, 2048, 320, 320),
        ("bwd-dw", true, false, 320, 320, 2048),
        ("tower", false, false, 256, 300, 300),
        ("square", false, false, 1024, 1024, 1024),
    ];

    public static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "Thread cap for GEMM (default: 1 and then every core)." };
        var rounds = new Option<int>("--rounds") { Description = "Timed batches per case; the best is reported.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (DESIGN.md §7) instead of a table." };
        var cmd = new Command("gemm", "SGEMM GFLOP/s on the layer shapes of training (1 and N threads).") { threads, rounds, json };
        cmd.SetAction(parse => Run(parse.GetValue(threads), parse.GetValue(rounds), parse.GetValue(json)));
        return cmd;
    }

    private static int Run(int? threadCap, int rounds, bool json)
    {
        if (threadCap is < 1)
        {
            Console.Error.WriteLine($"--threads must be at least 1, got {threadCap}.");
            return 2;
        }
        if (rounds < 1)
        {
            Console.Error.WriteLine($"--rounds must be at least 1, got {rounds}.");
            return 2;
        }
        int[] threadCounts = threadCap is int t ? [t] : Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        var results = new List<BenchResult>();
        var (cpu, cores, simd) = BenchCommand.Machine();
        var log = json ? Console.Error : Console.Out;
        log.WriteLine($"{cpu}, {cores} cores, SIMD {simd}");
        if (!json) log.WriteLine($"{"case",-44} {"GFLOP/s",10}");
        foreach (int threads in threadCounts)
        {
            foreach (var s in Shapes)
            {
                double gflops = Measure(s.TransA, s.TransB, s.M, s.N, s.K, threads, rounds);
                string name = $"sgemm {s.Name} {s.M}x{s.N}x{s.K}{(s.TransA ? " transA" : "")}{(s.TransB ? " transB" : "")} threads={threads}";
                results.Add(new BenchResult(name, "gflops", gflops, "GFLOP/s"));
                if (json) log.WriteLine($"{name}: {gflops:F1} GFLOP/s");
                else log.WriteLine($"{name,-44} {gflops,10:F1}");
            }
        }
        if (json) BenchCommand.WriteJson("bench gemm", results);
        return 0;
    }

    private static double Measure(bool transA, bool transB, int m, int n, int k, int threads, int rounds)
    {
        var rng = new Random(42);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() - 0.5);
        int lda = transA ? m : k, ldb = transB ? k : n;
        void Call() => Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
        Call();
        var sw = Stopwatch.StartNew();
        int reps = 0;
        while (sw.ElapsedMilliseconds < 50) { Call(); reps++; }
        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            for (int i = 0; i < reps; i++) Call();
            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
        }
        return 2.0 * m * n * k / best / 1e9;
    }
}
