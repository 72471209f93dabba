using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Cascade.Features.Simulation;

/// <summary>
/// Runs a simulation into a directory: users, ads, samples, behaviours and events as CSV (or .csv.gz), plus
/// schema.yaml and summary.json. Every file is written to "NAME.tmp", flushed to disk and renamed only after the
/// whole run succeeded, so a crash never leaves a half-written file under a final name.
/// </summary>
public static class SimulationOutput
{
    /// <summary>File stems written, in order.</summary>
    public static readonly IReadOnlyList<string> Files = ["users", "ads", "samples", "behaviours", "events"];

    /// <summary>Simulates with <paramref name="options"/> into <paramref name="directory"/> (created if needed).</summary>
    public static SimulationSummary WriteDirectory(SimulatorOptions options, string directory, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("Output directory must be a non-empty path.", nameof(directory));
        var sim = new MarketSimulator(options); // validates before touching the disk
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create output directory '{directory}': {e.Message}", e);
        }
        string ext = gzip ? ".csv.gz" : ".csv";
        var finals = Files.Select(f => Path.Combine(directory, f + ext)).ToArray();
        var files = new FileStream[finals.Length];
        var streams = new Stream[finals.Length];
        SimulationSummary summary;
        try
        {
            for (int i = 0; i < finals.Length; i++)
            {
                files[i] = new FileStream(finals[i] + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                streams[i] = gzip ? new GZipStream(files[i], CompressionLevel.Fastest, leaveOpen: true) : files[i];
            }
            summary = sim.Run(new SimulationStreams
            {
                Users = streams[0], Ads = streams[1], Samples = streams[2], Behaviours = streams[3], Events = streams[4],
            });
            for (int i = 0; i < finals.Length; i++)
            {
                if (gzip) streams[i].Dispose();
                files[i].Flush(flushToDisk: true);
                files[i].Dispose();
            }
        }
        catch
        {
            for (int i = 0; i < finals.Length; i++)
            {
                files[i]?.Dispose();
                if (File.Exists(finals[i] + ".tmp")) File.Delete(finals[i] + ".tmp");
            }
            throw;
        }
        for (int i = 0; i < finals.Length; i++) File.Move(finals[i] + ".tmp", finals[i], overwrite: true);
        WriteTextAtomic(Path.Combine(directory, "schema.yaml"), SimulationSchema.Yaml(options, gzip));
        WriteTextAtomic(Path.Combine(directory, "summary.json"), SummaryJson(options, summary));
        return summary;
    }

    /// <summary>Writes text to a temp file, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static void WriteTextAtomic(string path, string text)
    {
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The run's options and counts as one JSON object (invariant culture).</summary>
    public static string SummaryJson(SimulatorOptions o, SimulationSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Create(c,
            $"{{\"seed\": {o.Seed}, \"users\": {s.Users}, \"ads\": {s.Ads}, \"days\": {s.Days}, \"sessions\": {s.Sessions}, " +
            $"\"requests\": {s.Requests}, \"samples\": {s.Samples}, \"exposures\": {s.Exposures}, \"ranking_rows\": {s.RankingRows}, " +
            $"\"retrieval_rows\": {s.RetrievalRows}, \"clicks\": {s.Clicks}, \"conversions\": {s.Conversions}, " +
            $"\"behaviours\": {s.Behaviours}, \"events\": {s.Events}, \"ctr\": {s.Ctr:F6}, \"cvr\": {s.Cvr:F6}, " +
            $"\"sample_seconds\": {s.SampleSeconds:F3}, \"sample_cpu_seconds\": {s.SampleCpuSeconds:F3}, \"total_seconds\": {s.TotalSeconds:F3}, " +
            $"\"samples_per_s\": {s.SamplesPerSecond:F0}, \"samples_per_cpu_s\": {s.SamplesPerCpuSecond:F0}}}\n");
    }
}
