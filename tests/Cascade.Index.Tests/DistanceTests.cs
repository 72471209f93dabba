using Cascade.Index;

namespace Cascade.Index.Tests;

public class DistanceTests
{
    [Fact]
    public void SimdKernelsMatchScalarReferenceAtEveryLength() => Assert.Null(CompareKernelsWithReference());

    /// <summary>
    /// Re-runs the kernel comparison in a child process with a SIMD tier switched off, so the Vector256 and scalar
    /// fallbacks are proven on this AVX-512 machine too; the child reports which tier it used.
    /// </summary>
    [Theory]
    [InlineData("DOTNET_EnableAVX512", "Vector256")]
    [InlineData("DOTNET_EnableHWIntrinsic", "scalar")]
    public void FallbackPathsMatchReferenceInAChildProcess(string switchOff, string expectedTier)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(DistanceTests).Assembly.Location);
        psi.ArgumentList.Add(KernelCheckProgram.Verb);
        psi.Environment[switchOff] = "0";
        using var child = System.Diagnostics.Process.Start(psi)!;
        string output = child.StandardOutput.ReadToEnd() + child.StandardError.ReadToEnd();
        Assert.True(child.WaitForExit(60_000), "child did not finish");
        Assert.True(child.ExitCode == 0, output);
        Assert.Contains($"tier={expectedTier}", output);
    }

    /// <summary>Null when every length 0–256 matches the reference, else the first mismatch.</summary>
    internal static string? CompareKernelsWithReference()
    {
        var rng = new Random(1);
        for (int n = 0; n <= 256; n++)
        {
            var a = new float[n + 1];
            var b = new float[n + 1];
            for (int i = 0; i <= n; i++) { a[i] = (float)(rng.NextDouble() * 2 - 1); b[i] = (float)(rng.NextDouble() * 2 - 1); }
            // Guard element past the end: a kernel that reads it would change the result by ~1e3.
            a[n] = 1000f; b[n] = -1000f;
            var sa = a.AsSpan(0, n); var sb = b.AsSpan(0, n);
            // float accumulation over n ≤ 256 terms of |x| ≤ 1 loses at most ~n·2^-24 relative to the double reference.
            float tol = 1e-5f * (n + 1);
            float dot = Distances.Dot(sa, sb), dotRef = DistancesReference.Dot(sa, sb);
            if (MathF.Abs(dot - dotRef) > tol) return $"Dot n={n}: {dot} vs reference {dotRef}";
            float l2 = Distances.L2Squared(sa, sb), l2Ref = DistancesReference.L2Squared(sa, sb);
            if (MathF.Abs(l2 - l2Ref) > 4 * tol) return $"L2Squared n={n}: {l2} vs reference {l2Ref}";
        }
        return null;
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Distances.Dot(new float[3], new float[4]));
        Assert.Contains("3 vs 4", ex.Message);
    }

    [Fact]
    public void ExactIndexReturnsTheTrueTopKInOrder()
    {
        const int dim = 8, n = 500;
        var data = SyntheticVectors.Uniform(n, dim, 3);
        var exact = new ExactIndex(dim, Metric.L2);
        for (int i = 0; i < n; i++) exact.Upsert(i, data.AsSpan(i * dim, dim));
        var q = SyntheticVectors.Uniform(1, dim, 4);
        var expected = Enumerable.Range(0, n)
            .Select(i => (Id: (long)i, D: DistancesReference.L2Squared(q, data.AsSpan(i * dim, dim))))
            .OrderBy(t => t.D).Take(10).Select(t => t.Id).ToArray();
        Assert.Equal(expected, exact.Search(q, 10).Select(r => r.Id).ToArray());

        var batch = new SearchResult[2 * 10];
        exact.SearchBatch([.. q, .. q], 10, batch, threads: 2);
        Assert.Equal(expected, batch.Take(10).Select(r => r.Id).ToArray());
        Assert.Equal(expected, batch.Skip(10).Select(r => r.Id).ToArray());

        exact.Delete(expected[0]);
        Assert.DoesNotContain(expected[0], exact.Search(q, 10).Select(r => r.Id));
    }
}
