using System.Diagnostics;
using Cascade.Kernels;

namespace Cascade.Benchmarks.Kernels;

/// <summary>
/// `gemm-compare`: GFLOP/s of Cascade's SGEMM and OpenBLAS's in the same process, same inputs, 1 and 2 threads.
/// Each figure is the best of several timed batches (the machine is shared, so the best batch is the least
/// disturbed one), each batch long enough (≥ 50 ms) to swamp timer resolution, the two libraries alternating.
/// </summary>
internal static class GemmCompare
{
    public static int Run(string[] args)
    {
        int rounds = 7;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[i + 1], out rounds) && rounds >= 1) { i++; continue; }
            Console.Error.WriteLine($"gemm-compare: unexpected argument '{args[i]}'; usage: gemm-compare [--rounds N] with N ≥ 1.");
            return 2;
        }
        var blas = OpenBlas.TryLoad(out string reason);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, SIMD tier {Simd.Tier}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}");
        if (blas is null) Console.WriteLine($"OpenBLAS: {reason} Reporting Cascade only.");
        else Console.WriteLine($"OpenBLAS: {blas.Path}; config \"{blas.Config.Trim()}\"; core {blas.CoreName}");
        Console.WriteLine();
        Console.WriteLine($"| case | threads | Cascade GFLOP/s | OpenBLAS GFLOP/s | ratio |");
        Console.WriteLine($"|---|---:|---:|---:|---:|");
        foreach (int threads in new[] { 1, 2 })
        {
            blas?.SetThreads(threads);
            foreach (var s in GemmShape.Standard)
            {
                var (a, b, c) = Inputs(s);
                int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
                Action ourCall = () => Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N, threads);
                Action? theirCall = blas is null ? null : () => blas.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
                var (ours, theirs) = MeasurePair(s, rounds, ourCall, theirCall);
                string t = double.IsNaN(theirs) ? "n/a" : $"{theirs:F1}";
                string r = double.IsNaN(theirs) ? "n/a" : $"{ours / theirs:F2}";
                Console.WriteLine($"| {s.Label} | {threads} | {ours:F1} | {t} | {r} |");
            }
        }
        return 0;
    }

    internal static (float[] A, float[] B, float[] C) Inputs(GemmShape s)
    {
        var rng = new Random(42);
        float[] a = new float[s.M * s.K], b = new float[s.K * s.N], c = new float[s.M * s.N];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() - 0.5);
        return (a, b, c);
    }

    /// <summary>
    /// Best GFLOP/s of each call over <paramref name="rounds"/> batches, alternating the two libraries batch by batch
    /// so that both see the same background load on a shared machine.
    /// </summary>
    internal static (double Ours, double Theirs) MeasurePair(GemmShape s, int rounds, Action ours, Action? theirs)
    {
        int ourReps = Calibrate(ours), theirReps = theirs is null ? 0 : Calibrate(theirs);
        double bestOurs = double.MaxValue, bestTheirs = double.MaxValue;
        var sw = new Stopwatch();
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            for (int i = 0; i < ourReps; i++) ours();
            bestOurs = Math.Min(bestOurs, sw.Elapsed.TotalSeconds / ourReps);
            if (theirs is null) continue;
            sw.Restart();
            for (int i = 0; i < theirReps; i++) theirs();
            bestTheirs = Math.Min(bestTheirs, sw.Elapsed.TotalSeconds / theirReps);
        }
        return (s.Flops / bestOurs / 1e9, theirs is null ? double.NaN : s.Flops / bestTheirs / 1e9);
    }

    /// <summary>Warms the call up and returns how many calls fill a ≥ 50 ms batch.</summary>
    private static int Calibrate(Action call)
    {
        call();
        var sw = Stopwatch.StartNew();
        int reps = 0;
        while (sw.ElapsedMilliseconds < 50) { call(); reps++; }
        return Math.Max(1, reps);
    }
}
