using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Cascade.Cli.Bench;

/// <summary>Output of `cascade bench ann`: the JSON object of DESIGN.md §7, a text table, and the data files for compare.py.</summary>
internal static class AnnBenchOutput
{
    public static void WriteJson(IReadOnlyList<AnnBenchResult> results, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("command", "bench ann");
            w.WriteStartObject("machine");
            w.WriteString("cpu", CpuName());
            w.WriteNumber("cores", Environment.ProcessorCount);
            w.WriteString("simd", AnnBenchRunner.SimdName());
            w.WriteEndObject();
            w.WriteString("commit", Commit());
            w.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            w.WriteStartArray("results");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("case", r.Case);
                w.WriteString("metric", r.Metric);
                w.WriteNumber("value", Math.Round(r.Value, 6));
                w.WriteString("unit", r.Unit);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static void WriteTable(IReadOnlyList<AnnBenchResult> results, TextWriter output)
    {
        output.WriteLine($"cascade bench ann — {CpuName()}, {Environment.ProcessorCount} cores, {AnnBenchRunner.SimdName()}, commit {Commit()}");
        int width = results.Count == 0 ? 10 : results.Max(r => r.Case.Length);
        foreach (var r in results) output.WriteLine($"{r.Case.PadRight(width)}  {r.Metric,-14} {r.Value,12:G6} {r.Unit}");
    }

    /// <summary>Row-major float32 matrix: int32 rows, int32 cols, then rows × cols floats (little-endian).</summary>
    public static void WriteMatrix(string path, float[] data, int rows, int cols)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        fs.Write(MemoryMarshal.AsBytes<int>([rows, cols]));
        fs.Write(MemoryMarshal.AsBytes(data.AsSpan(0, rows * cols)));
    }

    /// <summary>Ground-truth ids: int32 rows, int32 k, then rows × k int32 ids.</summary>
    public static void WriteIds(string path, int[] ids, int rows, int k)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        fs.Write(MemoryMarshal.AsBytes<int>([rows, k]));
        fs.Write(MemoryMarshal.AsBytes(ids.AsSpan(0, rows * k)));
    }

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string Commit()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null) return "unknown";
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? s : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
