using System.Runtime.Intrinsics;

namespace Cascade.Index.Tests;

/// <summary>
/// Entry point of the test assembly when started as a child process by
/// <see cref="DistanceTests.FallbackPathsMatchReferenceInAChildProcess"/>: runs the fp32 and bfloat16 kernel comparisons under the
/// SIMD switches the parent set and prints the tier it ran on. Otherwise does nothing (the test host has its own).
/// </summary>
internal static class KernelCheckProgram
{
    public const string Verb = "kernel-check";

    public static int Main(string[] args)
    {
        if (args.Length != 1 || args[0] != Verb) return 0;
        string tier = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";
        string? failure = DistanceTests.CompareKernelsWithReference() ?? BFloat16Tests.CompareKernelsWithReference();
        Console.WriteLine($"tier={tier} {(failure ?? "ok")}");
        return failure is null ? 0 : 1;
    }
}
