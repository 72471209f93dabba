using System.Diagnostics;
using Cascade.Kernels;
using Cascade.Kernels.Reference;

namespace Cascade.Benchmarks.Kernels;

/// <summary>
/// `kernels-compare`: a quick console table of fast kernel vs Reference twin (ns per element, best of 5 batches of thread CPU time),
/// for docs/benchmarks.md when a full BenchmarkDotNet run is too slow for a shared machine.
/// </summary>
internal static class KernelQuick
{
    public static int Run()
    {
        const int rows = 256, cols = 1024, n = rows * cols;
        var rng = new Random(1);
        float[] R(int len) { var a = new float[len]; for (int i = 0; i < len; i++) a[i] = (float)(rng.NextDouble() * 4 - 2); return a; }
        float[] x = R(n), y = R(n), dy = R(n), dx = R(n), w = R(n), m = new float[n], v = new float[n], g = R(cols), b = R(cols);
        float[] mean = new float[rows], rstd = new float[rows];
        var cases = new (string Name, Action Fast, Action Reference)[]
        {
            ("relu forward", () => Activations.ReluForward(x, y), () => ActivationsReference.ReluForward(x, y)),
            ("sigmoid forward", () => Activations.SigmoidForward(x, y), () => ActivationsReference.SigmoidForward(x, y)),
            ("sigmoid backward", () => Activations.SigmoidBackward(y, dy, dx), () => ActivationsReference.SigmoidBackward(y, dy, dx)),
            ("tanh forward", () => Activations.TanhForward(x, y), () => ActivationsReference.TanhForward(x, y)),
            ("softplus forward", () => Activations.SoftplusForward(x, y), () => ActivationsReference.SoftplusForward(x, y)),
            ("softmax forward 256x1024", () => Softmax.Forward(x, y, rows, cols, default), () => SoftmaxReference.Forward(x, y, rows, cols, default)),
            ("softmax backward 256x1024", () => Softmax.Backward(y, dy, dx, rows, cols), () => SoftmaxReference.Backward(y, dy, dx, rows, cols)),
            ("log-softmax forward 256x1024", () => Softmax.LogForward(x, y, rows, cols, default), () => SoftmaxReference.LogForward(x, y, rows, cols, default)),
            ("layer-norm forward 256x1024", () => LayerNorm.Forward(x, g, b, y, mean, rstd, rows, cols, 1e-5f), () => LayerNormReference.Forward(x, g, b, y, mean, rstd, rows, cols, 1e-5f)),
            ("adam step", () => OptimizerSteps.Adam(w, dy, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, 0.1f, 0.001f), () => OptimizerStepsReference.Adam(w, dy, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, 0.1f, 0.001f)),
            ("adagrad step", () => OptimizerSteps.Adagrad(w, dy, v, 1e-3f, 1e-8f, 0f), () => OptimizerStepsReference.Adagrad(w, dy, v, 1e-3f, 1e-8f, 0f)),
        };
        Console.WriteLine($"SIMD tier {Simd.Tier}; {n} elements per call (256×1024); clock: {(ThreadClock.Available ? "thread CPU time" : "wall")}");
        Console.WriteLine("| kernel | fast ns/elem | reference ns/elem | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, fast, reference) in cases)
        {
            double f = Time(fast) / n * 1e9, r = Time(reference) / n * 1e9;
            Console.WriteLine($"| {name} | {f:F3} | {r:F3} | {r / f:F1}× |");
        }
        return 0;
    }

    /// <summary>Best seconds per call over 5 batches of ≥ 30 ms, in thread CPU time (see <see cref="ThreadClock"/>).</summary>
    private static double Time(Action a)
    {
        // Warm up for 100 ms first: the first timed case of a process otherwise pays for page faults on fresh arrays
        // and tier-up of its lambda (measured 2.7× slower than the same kernel timed second).
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 100) a();
        sw.Restart();
        int reps = 0;
        while (sw.ElapsedMilliseconds < 30) { a(); reps++; }
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            double t0 = ThreadClock.Now();
            for (int i = 0; i < reps; i++) a();
            best = Math.Min(best, (ThreadClock.Now() - t0) / reps);
        }
        return best;
    }
}
