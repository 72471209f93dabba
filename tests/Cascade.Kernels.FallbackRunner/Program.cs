using System.Diagnostics;
using System.Runtime.Intrinsics;
using Cascade.Kernels;
using Cascade.Kernels.FallbackRunner;

// Usage: Cascade.Kernels.FallbackRunner [name-prefix ...]. Prints the SIMD tier it runs on (the parent test asserts
// it), one line per failed check, and a closing "N passed, N failed" line; exits 1 when any check fails.
Console.WriteLine($"tier: {Simd.Tier}");
Console.WriteLine($"vector512: {Vector512.IsHardwareAccelerated}, vector256: {Vector256.IsHardwareAccelerated}, vector128: {Vector128.IsHardwareAccelerated}");
int passed = 0, failed = 0;
var sw = Stopwatch.StartNew();
foreach (var check in KernelChecks.All)
{
    if (args.Length > 0 && !args.Any(a => check.Name.StartsWith(a, StringComparison.Ordinal))) continue;
    try
    {
        check.Run();
        passed++;
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
