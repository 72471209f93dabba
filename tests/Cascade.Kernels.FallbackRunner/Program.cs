using System.Diagnostics;
using System.Runtime.Intrinsics;
using Cascade.Kernels;
using Cascade.Kernels.FallbackRunner;

// Usage: Cascade.Kernels.FallbackRunner [--verbose] [name-prefix ...]. Prints the SIMD tier it runs on (the parent test asserts
// it), one line per failed check, and a closing "N passed, N failed" line; exits 1 when any check fails.
Console.WriteLine($"tier: {Simd.Tier}");
Console.WriteLine($"vector512: {Vector512.IsHardwareAccelerated}, vector256: {Vector256.IsHardwareAccelerated}, vector128: {Vector128.IsHardwareAccelerated}");
// --verbose prints each check with its time.
bool verbose = args.Contains("--verbose");
args = args.Where(a => a != "--verbose").ToArray();
int passed = 0, failed = 0;
var sw = Stopwatch.StartNew();
foreach (var check in KernelChecks.All)
{
    if (args.Length > 0 && !args.Any(a => check.Name.StartsWith(a, StringComparison.Ordinal))) continue;
    long t0 = sw.ElapsedMilliseconds;
    try
    {
        check.Run();
        passed++;
        if (verbose) Console.WriteLine($"ok   {check.Name} ({sw.ElapsedMilliseconds - t0} ms)");
    }
    catch (Exception e)
    {
        failed++;
        Console.WriteLine($"FAIL {check.Name}: {e.Message}");
    }
}
Console.WriteLine($"elapsed: {sw.ElapsedMilliseconds} ms");
Console.WriteLine($"checks: {passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
