namespace Cascade.Features.Tests;

/// <summary>Locates ../shared/data by walking up from the test binaries, and makes temp folders.</summary>
internal static class TestData
{
    public static string? SharedData()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string? MovieLens()
    {
        string? root = SharedData();
        string? dir = root is null ? null : Path.Combine(root, "movielens-1m");
        return dir is not null && File.Exists(Path.Combine(dir, "ratings_no_timestamp.dat.gz")) ? dir : null;
    }

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "cascade-features-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static string Write(string dir, string name, string text)
    {
        string p = Path.Combine(dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    public static string WriteGz(string dir, string name, string text)
    {
        string p = Path.Combine(dir, name);
        using var fs = File.Create(p);
        using var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        gz.Write(bytes);
        return p;
    }
}
