using BenchmarkDotNet.Attributes;
using Cascade.Kernels;
using Cascade.Kernels.Reference;

namespace Cascade.Benchmarks.Kernels;

/// <summary>
/// Fast kernels against their naive Reference twins (the twin is the baseline of each pair).
/// Run: dotnet run -c Release --project bench/Cascade.Benchmarks -- --filter '*ElementwiseBenchmarks*'.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private const int Rows = 256;
    private float[] _x = [], _y = [], _dy = [], _dx = [], _w = [], _m = [], _v = [], _gamma = [], _beta = [], _mean = [], _rstd = [];

    /// <summary>Elements per call: a 256×64 activation block and a 256×1024 one.</summary>
    [Params(Rows * 64, Rows * 1024)]
    public int N { get; set; }

    private int Cols => N / Rows;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 4 - 2); return a; }
        _x = R(N); _y = R(N); _dy = R(N); _dx = R(N); _w = R(N); _m = new float[N]; _v = new float[N];
        _gamma = R(Cols); _beta = R(Cols); _mean = new float[Rows]; _rstd = new float[Rows];
    }

    [Benchmark] public void ReluForward() => Activations.ReluForward(_x, _y);
    [Benchmark] public void ReluForwardReference() => ActivationsReference.ReluForward(_x, _y);
    [Benchmark] public void SigmoidForward() => Activations.SigmoidForward(_x, _y);
    [Benchmark] public void SigmoidForwardReference() => ActivationsReference.SigmoidForward(_x, _y);
    [Benchmark] public void SigmoidBackward() => Activations.SigmoidBackward(_y, _dy, _dx);
    [Benchmark] public void SigmoidBackwardReference() => ActivationsReference.SigmoidBackward(_y, _dy, _dx);
    [Benchmark] public void SoftplusForward() => Activations.SoftplusForward(_x, _y);
    [Benchmark] public void SoftplusForwardReference() => ActivationsReference.SoftplusForward(_x, _y);
    [Benchmark] public void SoftmaxForward() => Softmax.Forward(_x, _y, Rows, Cols, default);
    [Benchmark] public void SoftmaxForwardReference() => SoftmaxReference.Forward(_x, _y, Rows, Cols, default);
    [Benchmark] public void SoftmaxBackward() => Softmax.Backward(_y, _dy, _dx, Rows, Cols);
    [Benchmark] public void SoftmaxBackwardReference() => SoftmaxReference.Backward(_y, _dy, _dx, Rows, Cols);
    [Benchmark] public void LayerNormForward() => LayerNorm.Forward(_x, _gamma, _beta, _y, _mean, _rstd, Rows, Cols, 1e-5f);
    [Benchmark] public void LayerNormForwardReference() => LayerNormReference.Forward(_x, _gamma, _beta, _y, _mean, _rstd, Rows, Cols, 1e-5f);
    [Benchmark] public void AdamStep() => OptimizerSteps.Adam(_w, _dy, _m, _v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, 0.1f, 0.001f);
    [Benchmark] public void AdamStepReference() => OptimizerStepsReference.Adam(_w, _dy, _m, _v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, 0.1f, 0.001f);
}
