using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cascade.Kernels.Tests;

/// <summary>
/// Reruns every kernel comparison in a child process with hardware paths switched off, so the Vector256 and
/// scalar fallbacks are proven on an AVX-512 machine (the ImageSharp FeatureTestRunner idea). The child reports
/// the tier it saw, and the test asserts it, so a switch the runtime ignores cannot pass silently.
/// </summary>
public class FallbackTierTests
{
    public static TheoryData<string, string> Tiers()
    {
        // .NET 10 renamed the AVX-512 switch: EnableAVX512F (.NET 8/9) is ignored, EnableAVX512 works; set both.
        string noAvx512 = "DOTNET_EnableAVX512F=0;DOTNET_EnableAVX512=0";
        string expected256 = Vector256.IsHardwareAccelerated && Fma.IsSupported ? nameof(SimdTier.Vector256) : nameof(SimdTier.Scalar);
        return new TheoryData<string, string>
        {
            { noAvx512, expected256 },
            { "DOTNET_EnableHWIntrinsic=0", nameof(SimdTier.Scalar) },
        };
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public async Task FallbackTierMatchesReference(string environment, string expectedTier)
    {
        string runner = RunnerPath();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(runner);
        foreach (var kv in environment.Split(';'))
        {
            var parts = kv.Split('=');
            psi.Environment[parts[0]] = parts[1];
        }
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        string output = $"[{environment}] exit {p.ExitCode}\n{stdout}\n{await stderrTask}";
        Assert.True(p.ExitCode == 0, output);
        Assert.Contains($"tier: {expectedTier}", stdout);
        Assert.Matches(@"checks: [1-9]\d* passed, 0 failed", stdout);
    }

    [Fact]
    public void ThisProcessRunsTheWidestTier()
    {
        var expected = Vector512.IsHardwareAccelerated ? SimdTier.Vector512
            : Vector256.IsHardwareAccelerated && Fma.IsSupported ? SimdTier.Vector256 : SimdTier.Scalar;
        Assert.Equal(expected, Simd.Tier);
    }

    private static string RunnerPath()
    {
        // The runner is a project reference, so its dll and runtimeconfig sit beside this test assembly.
        string path = Path.Combine(AppContext.BaseDirectory, "Cascade.Kernels.FallbackRunner.dll");
        Assert.True(File.Exists(path), $"FallbackRunner not found at {path}");
        Assert.True(File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"FallbackRunner runtimeconfig missing beside {path}");
        return path;
    }
}
