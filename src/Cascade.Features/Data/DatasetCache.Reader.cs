using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>Reads the blocks of a mapped cache file in write order, checksumming as it goes.</summary>
internal sealed class CacheReader(string path, MemoryMappedViewAccessor view, long length)
{
    private long _pos;
    private ulong _hash;

    public (ColumnarDataset, string) ReadAll()
    {
        var headerBytes = ReadHeaderBytes(out int n, out int ws, out int fd, out var varSpecs, out string meta);
        _hash = StableHash.Checksum(headerBytes);
        var sparse = Block<int>((long)n * ws); var dense = Block<float>((long)n * fd);
        var labels = Block<float>(n); var weights = Block<float>(n); var users = Block<int>(n);
        var sources = Block<byte>(n); var times = Block<long>(n);
        var cols = new List<VarLenColumn>();
        foreach (var (name, count, timed) in varSpecs)
        {
            var off = Block<int>(n + 1); var vals = Block<int>(count);
            var t = timed ? Block<long>(count) : null;
            cols.Add(new VarLenColumn(name, off, vals, t));
        }
        _pos += (64 - _pos % 64) % 64;
        if (_pos + 8 != length) Fail($"file length {length} does not match its header (expected {_pos + 8}); the file is truncated or corrupt");
        ulong stored = view.ReadUInt64(_pos);
        if (stored != _hash) Fail($"checksum mismatch (stored {stored:x16}, computed {_hash:x16}); the file is corrupt");
        try
        {
            return (new ColumnarDataset(n, ws, fd, sparse, dense, cols, labels, weights, users, sources, times), meta);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"dataset cache '{path}': {e.Message}", e); }
    }

    private byte[] ReadHeaderBytes(out int n, out int ws, out int fd, out List<(string, int, bool)> varSpecs, out string meta)
    {
        // The header holds names and the metadata JSON (tens of KB with a vocabulary); start with 64 KB and double
        // until it parses, so loading never copies more than about twice the header.
        for (long size = Math.Min(length, 64 << 10); ; size = Math.Min(length, size * 2))
        {
            var buf = new byte[size];
            view.ReadArray(0, buf, 0, (int)size);
            var ms = new MemoryStream(buf);
            using var r = new BinaryReader(ms, Encoding.UTF8);
            try
            {
                var magic = r.ReadBytes(8);
                if (!magic.AsSpan().SequenceEqual("CASCDS\0\0"u8)) Fail("not a Cascade dataset cache (bad magic)");
                int version = r.ReadInt32();
                if (version != DatasetCache.Version) Fail($"cache version {version}, this build reads {DatasetCache.Version}; delete it and rebuild");
                n = r.ReadInt32(); ws = r.ReadInt32(); fd = r.ReadInt32();
                int v = r.ReadInt32();
                if (n < 0 || ws < 0 || fd < 0 || v < 0 || v > 1024) Fail("header has negative or absurd sizes");
                varSpecs = [];
                for (int i = 0; i < v; i++) varSpecs.Add((r.ReadString(), r.ReadInt32(), r.ReadBoolean()));
                meta = r.ReadString();
            }
            catch (EndOfStreamException)
            {
                if (size >= length) Fail("header is truncated");
                continue;
            }
            _pos = ms.Position;
            return buf[..(int)_pos];
        }
    }

    private T[] Block<T>(long count) where T : unmanaged
    {
        _pos += (64 - _pos % 64) % 64;
        long bytes = count * Marshal.SizeOf<T>();
        if (count < 0 || _pos + bytes > length) Fail("a column runs past the end of the file; the file is truncated or corrupt");
        var a = new T[count];
        view.ReadArray(_pos, a, 0, (int)count);
        _pos += bytes;
        _hash = StableHash.Checksum(MemoryMarshal.AsBytes(a.AsSpan()), _hash);
        return a;
    }

    private void Fail(string why) => throw new InvalidDataException($"dataset cache '{path}': {why}.");
}
