using Cascade.Kernels.FallbackRunner;

namespace Cascade.Kernels.Tests;

/// <summary>
/// Every fast kernel against its Reference twin on this process's widest SIMD tier (the same checks the
/// FallbackRunner repeats on the Vector256 and scalar tiers; see <see cref="FallbackTierTests"/>).
/// </summary>
public class KernelReferenceTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in KernelChecks.All) d.Add(c.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesReference(string name) => KernelChecks.Get(name).Run();

    [Fact]
    public void CheckListCoversEveryKernelFamily()
    {
        // A new kernel family must register its checks, or the fallback tiers would silently go untested.
        string[] families = ["activations.", "softmax.", "embedding.", "optimizer.", "layernorm.", "reductions.", "gemm.", "vectormath.", "losses."];
        foreach (var f in families) Assert.Contains(KernelChecks.All, c => c.Name.StartsWith(f, StringComparison.Ordinal));
        Assert.Equal(KernelChecks.All.Count, KernelChecks.All.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void GuardCatchesAnOverrun()
    {
        // The guard is what proves tails stay in bounds, so prove the guard itself fires.
        var g = new Guarded(new float[5]);
        var wide = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref g.Span[0], 6);
        wide[5] = 1f;
        Assert.Throws<CheckFailedException>(() => g.AssertGuards("overrun"));
    }
}
