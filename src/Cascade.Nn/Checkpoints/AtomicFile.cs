using System.Security.Cryptography;

namespace Cascade.Nn.Checkpoints;

/// <summary>
/// Crash-safe file replacement: the content goes to a temporary file in the target's directory (same file
/// system, so the rename is atomic), is flushed to disk (<see cref="FileStream.Flush(bool)"/> with true), then
/// moved over the target. Readers see the old file or the new one, never a torn mix.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> and returns the SHA-256 of the bytes written (lower-case hex).</summary>
    public static string Write(string path, Action<HashingWriter> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            string hash;
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using var writer = new HashingWriter(fs);
                write(writer);
                hash = writer.Finish();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return hash;
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    /// <summary>SHA-256 of a file (lower-case hex).</summary>
    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }
}

/// <summary>Writes bytes to a stream while hashing them with SHA-256.</summary>
public sealed class HashingWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    internal HashingWriter(Stream stream) => _stream = stream;

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _hash.AppendData(bytes);
        Length += bytes.Length;
    }

    internal string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
