using BenchmarkDotNet.Running;
using Cascade.Benchmarks.Kernels;

// `gemm-compare` is a plain console mode (Cascade vs OpenBLAS GFLOP/s); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "gemm-compare") return GemmCompare.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(GemmCompare).Assembly).Run(args);
return 0;
