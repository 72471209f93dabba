using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Cascade.Index;

public sealed partial class MultiVectorIndex
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("CASCMVIX");

    /// <summary>Current on-disk format version; <see cref="Load(string)"/> rejects others.</summary>
    public const int FormatVersion = 1;

    /// <summary>Options of the heads index (M, efConstruction, default ef, seed).</summary>
    public HnswOptions Options => _heads.Options;

    /// <summary>
    /// Writes the index to <paramref name="path"/> atomically (temporary beside it, flushed, renamed), like
    /// <see cref="HnswIndex.Save"/>. Layout (little-endian): "CASCMVIX", format version, J, D, item count, the item
    /// ids ascending, an XXH3-64 checksum of that section, then the heads index in the <see cref="HnswIndex"/> format
    /// (its own magic, version and checksum). Writers wait; searches keep running.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_writeLock)
        {
            long[] items;
            lock (_itemsLock) items = [.. _items];
            Array.Sort(items); // the same item set always gives the same bytes
            HnswIndex.AtomicWrite(path, fs =>
            {
                var hash = new XxHash3();
                void Put(ReadOnlySpan<byte> bytes) { fs.Write(bytes); hash.Append(bytes); }
                Put(Magic);
                Put(MemoryMarshal.AsBytes<int>([FormatVersion, HeadsPerItem, Dimensions]));
                Put(BitConverter.GetBytes((long)items.Length));
                Put(MemoryMarshal.AsBytes(items.AsSpan()));
                fs.Write(BitConverter.GetBytes(hash.GetCurrentHashAsUInt64()));
                _heads.WriteTo(fs);
            });
        }
    }

    /// <summary>
    /// Loads an index written by <see cref="Save"/>, verifying both checksums, the header, and that the heads index
    /// holds exactly the J heads of every item (no missing, extra or duplicated item).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted, inconsistent or of another format, with the path and the reason.</exception>
    public static MultiVectorIndex Load(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = new XxHash3();
        void Get(Span<byte> bytes, bool hashed = true)
        {
            try { fs.ReadExactly(bytes); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{path}: file is truncated at byte {fs.Position} of {fs.Length}."); }
            if (hashed) hash.Append(bytes);
        }
        Span<byte> magic = stackalloc byte[Magic.Length];
        Get(magic);
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException($"{path}: not a Cascade multi-vector index (magic bytes differ).");
        Span<int> h = stackalloc int[3];
        Get(MemoryMarshal.AsBytes(h));
        if (h[0] != FormatVersion) throw new InvalidDataException($"{path}: multi-vector format version {h[0]}, this build reads version {FormatVersion}.");
        int heads = h[1], dim = h[2];
        Span<byte> word = stackalloc byte[8];
        Get(word);
        long count = BitConverter.ToInt64(word);
        if (heads < 1 || dim < 1 || count < 0 || count * heads > int.MaxValue || count * 8 > fs.Length - fs.Position)
            throw new InvalidDataException($"{path}: header out of range (J={heads}, D={dim}, items={count}).");
        var items = new long[count];
        Get(MemoryMarshal.AsBytes(items.AsSpan()));
        Get(word, hashed: false);
        if (BitConverter.ToUInt64(word) != hash.GetCurrentHashAsUInt64()) throw new InvalidDataException($"{path}: checksum mismatch in the item section, the file is corrupted.");
        var index = HnswIndex.ReadFrom(fs, path);
        if (fs.Position != fs.Length) throw new InvalidDataException($"{path}: {fs.Length - fs.Position} unexpected bytes after the heads index.");
        if (index.Dimensions != dim) throw new InvalidDataException($"{path}: the heads index has D = {index.Dimensions}, the header says {dim}.");
        if (index.Options.Metric != Metric.InnerProduct) throw new InvalidDataException($"{path}: the heads index uses {index.Options.Metric}; max-then-sum needs InnerProduct.");
        if (index.Count != count * heads) throw new InvalidDataException($"{path}: the heads index holds {index.Count} heads, {count} items × J = {heads} need {count * heads}.");
        var result = new MultiVectorIndex(heads, index);
        long maxId = (long.MaxValue >> 1) / heads;
        for (long i = 0; i < count; i++)
        {
            long id = items[i];
            if (id < 0 || id > maxId) throw new InvalidDataException($"{path}: item {i} has id {id} outside [0, {maxId}].");
            if (!result._items.Add(id)) throw new InvalidDataException($"{path}: item id {id} appears twice.");
            for (int j = 0; j < heads; j++)
            {
                if (!index.Contains(id * heads + j)) throw new InvalidDataException($"{path}: item {id} has no head {j} in the heads index.");
            }
        }
        return result;
    }
}
