using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>
/// Binary cache of a <see cref="ColumnarDataset"/> plus a metadata string (the encoder JSON and protocol settings).
/// Layout: magic "CASCDS", version, header (counts, metadata, var-len names), then each column as a raw
/// little-endian block at a 64-byte-aligned offset, then a 64-bit checksum (<see cref="StableHash.Checksum"/>) of
/// the header and every block. Written atomically (temp file, flush to disk, rename); loading memory-maps the file,
/// bulk-copies each block into its column array (no parsing) and verifies version, sizes and checksum.
/// </summary>
public static class DatasetCache
{
    /// <summary>Cache format version; files of another version are rejected (rebuild the cache).</summary>
    public const int Version = 1;
    private static readonly byte[] Magic = "CASCDS\0\0"u8.ToArray();
    private const int Align = 64;

    /// <summary>Writes the dataset and metadata to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ColumnarDataset ds, string metadata)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                byte[] header = Header(ds, metadata);
                ulong h = StableHash.Checksum(header);
                fs.Write(header);
                WriteBlocks(fs, ds, ref h);
                Pad(fs);
                Span<byte> tail = stackalloc byte[8];
                BitConverter.TryWriteBytes(tail, h);
                fs.Write(tail);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static void Pad(FileStream fs)
    {
        long pad = (Align - fs.Position % Align) % Align;
        for (long i = 0; i < pad; i++) fs.WriteByte(0);
    }

    private static byte[] Header(ColumnarDataset ds, string metadata)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(Magic); w.Write(Version);
        w.Write(ds.Count); w.Write(ds.SparseWidth); w.Write(ds.DenseWidth); w.Write(ds.VarLen.Count);
        foreach (var c in ds.VarLen) { w.Write(c.Name); w.Write(c.Values.Length); w.Write(c.Times is not null); }
        w.Write(metadata);
        w.Flush();
        return ms.ToArray();
    }

    private static void WriteBlocks(FileStream fs, ColumnarDataset ds, ref ulong h)
    {
        Block(fs, ds.Sparse, ref h); Block(fs, ds.Dense, ref h); Block(fs, ds.Labels, ref h); Block(fs, ds.Weights, ref h);
        Block(fs, ds.UserIds, ref h); Block(fs, ds.Sources, ref h); Block(fs, ds.Timestamps, ref h);
        foreach (var c in ds.VarLen)
        {
            Block(fs, c.Offsets, ref h); Block(fs, c.Values, ref h);
            if (c.Times is not null) Block(fs, c.Times, ref h);
        }
    }

    private static void Block<T>(FileStream fs, T[] a, ref ulong h) where T : unmanaged
    {
        Pad(fs);
        var bytes = MemoryMarshal.AsBytes(a.AsSpan());
        fs.Write(bytes);
        h = StableHash.Checksum(bytes, h);
    }

    /// <summary>Loads a cache file; throws <see cref="InvalidDataException"/> naming the file when it is corrupt or of another version.</summary>
    public static (ColumnarDataset Dataset, string Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset cache '{path}' not found.", path);
        long length = new FileInfo(path).Length;
        using var mmf = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = mmf.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var reader = new CacheReader(path, view, length);
        return reader.ReadAll();
    }
}
