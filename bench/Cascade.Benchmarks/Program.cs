using BenchmarkDotNet.Running;
using Cascade.Benchmarks.Kernels;

// Plain console modes (quick tables for docs/benchmarks.md); anything else goes to BenchmarkDotNet:
//   gemm-compare [--rounds N]   Cascade vs OpenBLAS SGEMM GFLOP/s, 1 and 2 threads
//   kernels-compare             fast kernels vs their Reference twins, ns per element
if (args.Length > 0 && args[0] == "gemm-compare") return GemmCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "kernels-compare") return KernelQuick.Run();
BenchmarkSwitcher.FromAssembly(typeof(GemmCompare).Assembly).Run(args);
return 0;
