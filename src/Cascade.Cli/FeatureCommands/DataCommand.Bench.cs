using System.CommandLine;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Cascade.Features.Data;
using Cascade.Features.Readers;

namespace Cascade.Cli.FeatureCommands;

internal static partial class DataCommand
{
    private static Command BenchCommand()
    {
        var data = new Option<string>("--data") { Description = "MovieLens-1M folder.", Required = true };
        var repeats = new Option<int>("--repeats") { Description = "Timed repetitions (the best is reported).", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var cmd = new Command("bench", "Time MovieLens-1M raw → columnar (inttower), cache write, cache → columnar, and batching.") { data, repeats, json };
        cmd.SetAction(parse => Bench(parse.GetValue(data)!, Math.Max(1, parse.GetValue(repeats)), parse.GetValue(json)));
        return cmd;
    }

    private static int Bench(string dir, int repeats, bool json)
    {
        var o = new MovieLensOptions(dir);
        string cache = Path.Combine(Path.GetTempPath(), $"cascade-bench-{Environment.ProcessId}");
        var results = new List<object>();
        void Add(string @case, string metric, double value, string unit)
        {
            results.Add(new { @case, metric, value = Math.Round(value, 3), unit });
            if (!json) Console.WriteLine($"{@case,-58} {metric,-14} {value,12:F3} {unit}");
            else Console.Error.WriteLine($"{@case}: {value:F3} {unit}");
        }
        try
        {
            var sw = Stopwatch.StartNew();
            var p = MovieLensProtocol.Prepare(o);
            Add("movielens-1m raw-to-columnar protocol=inttower first run (incl. JIT)", "seconds", sw.Elapsed.TotalSeconds, "s");
            double best = double.MaxValue;
            for (int i = 0; i < repeats; i++) { sw.Restart(); p = MovieLensProtocol.Prepare(o); best = Math.Min(best, sw.Elapsed.TotalSeconds); }
            Add("movielens-1m raw-to-columnar protocol=inttower", "seconds", best, "s");
            sw.Restart();
            PreparedDataCache.Save(p, cache);
            Add("movielens-1m cache write (3 files, fsync)", "seconds", sw.Elapsed.TotalSeconds, "s");
            best = double.MaxValue;
            string desc = MovieLensProtocol.Describe(o);
            for (int i = 0; i < repeats; i++)
            {
                sw.Restart();
                var q = PreparedDataCache.TryLoad(cache, desc) ?? throw new InvalidDataException("cache did not load");
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            Add("movielens-1m cache-to-columnar (mmap, checksum verified)", "seconds", best, "s");
            int rows = p.Train.Count;
            Add("movielens-1m rows train+validation+test", "rows", rows + p.Validation.Count + p.Test.Count, "rows");
            var batcher = new Batcher(p.Train, new BatcherOptions(2048, 1));
            batcher.StartEpoch(0);
            while (batcher.Next(out _)) { }
            long before = GC.GetAllocatedBytesForCurrentThread();
            sw.Restart();
            batcher.StartEpoch(1);
            while (batcher.Next(out _)) { }
            double sec = sw.Elapsed.TotalSeconds;
            long alloc = GC.GetAllocatedBytesForCurrentThread() - before;
            Add("batcher shuffled epoch batch=2048 movielens train", "samples_per_s", rows / sec, "samples/s");
            Add("batcher shuffled epoch batch=2048 allocated per epoch", "bytes", alloc, "B");
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, true);
        }
        if (json)
        {
            string simd = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";
            string commit = Environment.GetEnvironmentVariable("CASCADE_COMMIT") ?? GitCommit();
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                command = "data bench",
                machine = new { cpu = CpuName(), cores = Environment.ProcessorCount, simd },
                commit,
                results,
            }));
        }
        return 0;
    }

    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string GitCommit()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null) return "unknown";
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && s.Length > 0 ? s : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown"; }
    }
}
