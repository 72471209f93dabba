using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Cascade.Cli.Bench;

internal sealed partial class AnnBenchRunner
{
    /// <summary>
    /// Runs bench/ann/compare.py with Debian's python (/usr/bin/python3, which has python3-hnswlib and python3-faiss)
    /// on the files just written, at the same M, efConstruction and ef list, and merges its results.
    /// </summary>
    private void RunPython(string dir, string metric, string tag, int batchEf)
    {
        if (!File.Exists(settings.Script)) throw new FileNotFoundException($"--compare: script {settings.Script} not found (run from the repository root or pass --script).");
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) throw new FileNotFoundException($"--compare: {python} not found; install python3-hnswlib and python3-faiss with apt-get.");
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (var a in new[]
        {
            settings.Script, "--dir", dir, "--metric", metric, "--tag", tag, "--m", settings.M.ToString(CultureInfo.InvariantCulture),
            "--ef-construction", settings.EfConstruction.ToString(CultureInfo.InvariantCulture),
            "--ef", string.Join(',', settings.Efs), "--batch-ef", batchEf.ToString(CultureInfo.InvariantCulture),
            "--k", settings.K.ToString(CultureInfo.InvariantCulture),
            "--faiss-build-threads", settings.FaissBuildThreads.ToString(CultureInfo.InvariantCulture),
        }) psi.ArgumentList.Add(a);
        Log($"{tag}: running hnswlib and faiss ({settings.Script})");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("--compare: could not start python");
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"--compare: {settings.Script} exited with code {p.ExitCode}.");
        using var doc = JsonDocument.Parse(stdout);
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
            Add(r.GetProperty("case").GetString()!, r.GetProperty("metric").GetString()!, r.GetProperty("value").GetDouble(), r.GetProperty("unit").GetString()!);
    }
}
