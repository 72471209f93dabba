using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cascade.Kernels;

namespace Cascade.Cli.Bench;

/// <summary>One measured figure of a `cascade bench ...` run (DESIGN.md §7).</summary>
internal sealed record BenchResult(string Case, string Metric, double Value, string Unit);

/// <summary>
/// `cascade bench`: the parent of every benchmark subcommand. Other parts add theirs with one call,
/// <c>BenchCommand.Register(BenchHnswCommand.Create);</c>, made before <see cref="Create"/> runs (e.g. in
/// Program.cs next to the registration of this command), and can reuse <see cref="WriteJson"/> and
/// <see cref="Machine"/> so every bench prints the same JSON shape.
/// </summary>
internal static class BenchCommand
{
    private static readonly List<Func<Command>> s_factories = [BenchGemmCommand.Create];

    /// <summary>Adds a subcommand factory; call before <see cref="Create"/>.</summary>
    public static void Register(Func<Command> factory) => s_factories.Add(factory);

    /// <summary>Builds `bench` with every registered subcommand.</summary>
    public static Command Create()
    {
        var cmd = new Command("bench", "Benchmarks of Cascade's own components; every subcommand accepts --json.");
        foreach (var f in s_factories) cmd.Subcommands.Add(f());
        return cmd;
    }

    /// <summary>CPU model, core count and the SIMD tier the kernels run on.</summary>
    public static (string Cpu, int Cores, string Simd) Machine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException) { }
        return (cpu, Environment.ProcessorCount, Simd.Tier.ToString());
    }

    /// <summary>The commit being measured: $CASCADE_COMMIT, else `git rev-parse --short HEAD`, else "unknown".</summary>
    public static string Commit()
    {
        var env = Environment.GetEnvironmentVariable("CASCADE_COMMIT");
        if (!string.IsNullOrWhiteSpace(env)) return env.Trim();
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            if (p is null) return "unknown";
            string output = p.StandardOutput.ReadToEnd().Trim();
            return p.WaitForExit(5000) && p.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown"; }
    }

    /// <summary>Writes exactly one JSON object (DESIGN.md §7) to stdout.</summary>
    public static void WriteJson(string command, IEnumerable<BenchResult> results)
    {
        var (cpu, cores, simd) = Machine();
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            w.WriteStartObject("machine");
            w.WriteString("cpu", cpu);
            w.WriteNumber("cores", cores);
            w.WriteString("simd", simd);
            w.WriteEndObject();
            w.WriteString("commit", Commit());
            w.WriteStartArray("results");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("case", r.Case);
                w.WriteString("metric", r.Metric);
                w.WriteNumber("value", Math.Round(r.Value, 3));
                w.WriteString("unit", r.Unit);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }
}
