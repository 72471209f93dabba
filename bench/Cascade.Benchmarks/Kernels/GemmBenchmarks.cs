using BenchmarkDotNet.Attributes;
using Cascade.Kernels;

namespace Cascade.Benchmarks.Kernels;

/// <summary>
/// SGEMM on the standard shapes, Cascade with 1 and 2 threads and OpenBLAS (when installed) with the same inputs.
/// Run: dotnet run -c Release --project bench/Cascade.Benchmarks -- --filter '*GemmBenchmarks*'.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private GemmShape _shape = GemmShape.Standard[0];
    private OpenBlas? _blas;

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "fwd";

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<string> Shapes => GemmShape.Standard.Select(s => s.Name);

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Standard.Single(s => s.Name == Shape);
        (_a, _b, _c) = GemmCompare.Inputs(_shape);
        _blas = OpenBlas.TryLoad(out _);
        _blas?.SetThreads(Threads);
    }

    [Benchmark(Baseline = true)]
    public void Cascade()
    {
        var s = _shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.TransA ? s.M : s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N, Threads);
    }

    [Benchmark]
    public void OpenBlasSgemm()
    {
        // Without the library this measures nothing; the console mode `gemm-compare` says so explicitly.
        var s = _shape;
        _blas?.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.TransA ? s.M : s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N);
    }
}
