using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Cascade.Index;

public sealed unsafe partial class HnswIndex
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("CASCHNSW");

    /// <summary>
    /// Current on-disk format version. Version 2 adds the traversal precision to the header; <see cref="Load(string)"/> also
    /// reads version 1 files (which predate it) with the default precision, and rejects any other version.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>
    /// Writes the index to <paramref name="path"/> atomically: a temporary file beside it is written, flushed to disk
    /// and renamed over the target, so a crash leaves either the old or the new file. Layout (little-endian):
    /// "CASCHNSW", version, header (with the traversal precision), ids (S), vectors (S, D), level-0 blocks (S, 2M + 2), levels (S), states (S), upper
    /// lists, pending and free slots, then an XXH3-64 checksum of everything before it. Searches keep running.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_writeLock) AtomicWrite(path, WriteTo); // one Save at a time: they share the temporary's name
    }

    /// <summary>Writes through <paramref name="path"/>.tmp-&lt;pid&gt;: flushed to disk, then renamed over the target.</summary>
    internal static void AtomicWrite(string path, Action<Stream> write)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp); // never leave a partial temporary beside the target
            throw;
        }
    }

    /// <summary>The index in the format <see cref="Load(string)"/> reads (checksum included), under the writer lock.</summary>
    internal void WriteTo(Stream fs)
    {
        lock (_writeLock)
        {
            var hash = new XxHash3();
            void Put(ReadOnlySpan<byte> bytes) { fs.Write(bytes); hash.Append(bytes); }
            void PutInts(ReadOnlySpan<int> v) => Put(MemoryMarshal.AsBytes(v));
            Put(Magic);
            PutInts([FormatVersion, _dim, (int)_metric, _m, _options.EfConstruction, _options.DefaultEf, _options.Seed,
                _slotCount, _live, (int)(_entry >> 32), (int)_entry, _pending.Count, _free.Count, (int)_options.TraversalPrecision]);
            ForEachChunkRange(_slotCount, (c, start, n) => Put(MemoryMarshal.AsBytes(_storage.Ids[c].AsSpan(start, n))));
            ForEachChunkRange(_slotCount, (c, start, n) => Put(new ReadOnlySpan<byte>((float*)_storage.Vectors[c] + (long)start * _dim, n * _dim * 4)));
            ForEachChunkRange(_slotCount, (c, start, n) => Put(new ReadOnlySpan<byte>((int*)_storage.Blocks[c] + (long)start * _stride0, n * _stride0 * 4)));
            Put(_levels.AsSpan(0, _slotCount));
            Put(_state.AsSpan(0, _slotCount));
            for (int s = 0; s < _slotCount; s++)
            {
                if (_levels[s] > 0) PutInts(_storage.Upper[s >> HnswStorage.ChunkShift][s & HnswStorage.ChunkMask]!);
            }
            PutInts(CollectionsMarshal.AsSpan(_pending));
            PutInts(_free.ToArray());
            Span<byte> digest = stackalloc byte[8];
            BitConverter.TryWriteBytes(digest, hash.GetCurrentHashAsUInt64());
            fs.Write(digest);
        }
    }

    /// <summary>
    /// Loads an index written by <see cref="Save"/>, verifying the magic, version, header ranges, checksum and every
    /// link (in range, within the level's capacity) before returning it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted or of another format, with the reason and path.</exception>
    public static HnswIndex Load(string path) => LoadFile(path, null);

    /// <summary>
    /// Loads like <see cref="Load(string)"/> but walks in <paramref name="precision"/> whatever the file says (the
    /// graph and the fp32 vectors are the same; the bfloat16 rows are derived on load), e.g. to compare both walks on
    /// one saved graph.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted or of another format, with the reason and path.</exception>
    public static HnswIndex Load(string path, TraversalPrecision precision) => LoadFile(path, precision);

    private static HnswIndex LoadFile(string path, TraversalPrecision? precision)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var index = ReadFrom(fs, path, precision);
        if (fs.Position != fs.Length) throw new InvalidDataException($"{path}: {fs.Length - fs.Position} unexpected bytes after the checksum.");
        return index;
    }

    /// <summary>Reads one index written by <see cref="WriteTo"/> from the stream's position, verifying it; <paramref name="path"/> names the file in errors.</summary>
    internal static HnswIndex ReadFrom(Stream fs, string path, TraversalPrecision? precisionOverride = null)
    {
        var hash = new XxHash3();
        void ReadOrThrow(Span<byte> bytes)
        {
            try { fs.ReadExactly(bytes); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{path}: file is truncated at byte {fs.Position} of {fs.Length}."); }
        }
        void Get(Span<byte> bytes)
        {
            ReadOrThrow(bytes);
            hash.Append(bytes);
        }
        void GetInts(Span<int> v) => Get(MemoryMarshal.AsBytes(v));
        Span<byte> magic = stackalloc byte[Magic.Length];
        Get(magic);
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException($"{path}: not a Cascade HNSW index (magic bytes differ).");
        Span<int> h = stackalloc int[14];
        GetInts(h[..1]);
        if (h[0] != FormatVersion && h[0] != 1) throw new InvalidDataException($"{path}: format version {h[0]}, this build reads versions 1 and {FormatVersion}.");
        GetInts(h[1..(h[0] == 1 ? 13 : 14)]); // version 1 has no precision field: migrate with the default
        var precision = h[0] == 1 ? new HnswOptions().TraversalPrecision : (TraversalPrecision)h[13];
        if (!Enum.IsDefined(precision)) throw new InvalidDataException($"{path}: unknown traversal precision {h[13]} in the header.");
        precision = precisionOverride ?? precision;
        int dim = h[1], metric = h[2], m = h[3], slotCount = h[7], live = h[8], entryLevel = h[9], entrySlot = h[10], pending = h[11], free = h[12];
        if (dim < 1 || metric < 0 || metric > 2 || m < 2 || m > 256 || slotCount < 0 || live < 0 || live > slotCount || pending < 0 || free < 0 || pending + free > slotCount)
            throw new InvalidDataException($"{path}: header out of range (D={dim}, metric={metric}, M={m}, slots={slotCount}, live={live}).");
        var options = new HnswOptions { Metric = (Metric)metric, M = m, EfConstruction = Math.Max(1, h[4]), DefaultEf = Math.Max(1, h[5]), Seed = h[6], TraversalPrecision = precision };
        var index = new HnswIndex(dim, options);
        index.ReadBody(path, slotCount, Get, GetInts);
        if (entrySlot >= slotCount || (live > 0 && entrySlot < 0))
            throw new InvalidDataException($"{path}: entry point {entrySlot} outside {slotCount} slots.");
        index._entry = entrySlot < 0 ? -1 : ((long)entryLevel << 32) | (uint)entrySlot;
        var pendingSlots = new int[pending];
        GetInts(pendingSlots);
        var freeSlots = new int[free];
        GetInts(freeSlots);
        Span<byte> digest = stackalloc byte[8];
        ReadOrThrow(digest);
        if (BitConverter.ToUInt64(digest) != hash.GetCurrentHashAsUInt64()) throw new InvalidDataException($"{path}: checksum mismatch, the file is corrupted.");
        index.FinishLoad(path, live, pendingSlots, freeSlots);
        return index;
    }

    private delegate void ByteReader(Span<byte> bytes);
    private delegate void IntReader(Span<int> ints);

    private void ReadBody(string path, int slotCount, ByteReader get, IntReader getInts)
    {
        while (_storage.Capacity < slotCount) _storage = _storage.AddChunk(_dim, _stride0, _words);
        int cap = _storage.Capacity;
        _inDegree0 = new int[cap];
        _levels = new byte[cap];
        _state = new byte[cap];
        _slotCount = slotCount;
        ForEachChunkRange(slotCount, (c, start, n) => get(MemoryMarshal.AsBytes(_storage.Ids[c].AsSpan(start, n))));
        ForEachChunkRange(slotCount, (c, start, n) => get(new Span<byte>((float*)_storage.Vectors[c] + (long)start * _dim, n * _dim * 4)));
        ForEachChunkRange(slotCount, (c, start, n) => get(new Span<byte>((int*)_storage.Blocks[c] + (long)start * _stride0, n * _stride0 * 4)));
        get(_levels.AsSpan(0, slotCount));
        get(_state.AsSpan(0, slotCount));
        for (int s = 0; s < slotCount; s++)
        {
            if (_levels[s] > 31) throw new InvalidDataException($"{path}: slot {s} has level {_levels[s]} (max 31).");
            if (_levels[s] == 0) continue;
            var up = new int[_levels[s] * _upStride];
            getInts(up);
            _storage.Upper[s >> HnswStorage.ChunkShift][s & HnswStorage.ChunkMask] = up;
        }
    }

    private void FinishLoad(string path, int live, int[] pending, int[] free)
    {
        // Presized: growing a ConcurrentDictionary to 1M entries rehashes ~20 times.
        _slotOf = new ConcurrentDictionary<long, int>(Environment.ProcessorCount, Math.Max(31, live));
        int counted = 0;
        for (int s = 0; s < _slotCount; s++)
        {
            byte state = _state[s];
            if (state > StateFree) throw new InvalidDataException($"{path}: slot {s} has unknown state {state}.");
            int* blk = Block(_storage, s);
            blk[0] = 0; // reserved (the version word of format 1's writers); readers use the dense version array
            *Ver(_storage, s) = (blk[1] & DeletedFlag) != 0 ? VersionDeleted : 0; // unlocked, deleted bit from the header
            for (int lev = 0; lev <= _levels[s]; lev++)
            {
                var links = LinksW(s, lev);
                if (links.Length > MaxLinks(lev)) throw new InvalidDataException($"{path}: slot {s} level {lev} has {links.Length} links (max {MaxLinks(lev)}).");
                foreach (int t in links)
                {
                    if ((uint)t >= (uint)_slotCount) throw new InvalidDataException($"{path}: slot {s} level {lev} links to slot {t} outside {_slotCount}.");
                    if (lev == 0) _inDegree0[t]++;
                }
            }
            if (state == StateLive)
            {
                counted++;
                _slotOf[_storage.Ids[s >> HnswStorage.ChunkShift][s & HnswStorage.ChunkMask]] = s;
            }
        }
        if (counted != live || _slotOf.Count != live) throw new InvalidDataException($"{path}: header says {live} live items, found {counted} ({_slotOf.Count} distinct ids).");
        foreach (int p in pending)
        {
            if ((uint)p >= (uint)_slotCount || _state[p] != StateTombstone) throw new InvalidDataException($"{path}: pending slot {p} is not a deleted node.");
            _pending.Add(p);
        }
        for (int i = free.Length - 1; i >= 0; i--)
        {
            if ((uint)free[i] >= (uint)_slotCount || _state[free[i]] != StateFree) throw new InvalidDataException($"{path}: free slot {free[i]} is in use.");
            _free.Push(free[i]);
        }
        _live = live;
        _rng = new Random(_options.Seed ^ _slotCount);
        EncodeRows();
    }

    /// <summary>
    /// Derives the bfloat16 rows and the norm bound from the loaded fp32 vectors (they are not stored: the file stays
    /// one copy, and the rows are a pure function of the vectors). Every slot, free ones too, so any row a reader can
    /// reach is encoded.
    /// </summary>
    private void EncodeRows()
    {
        if (_words == 0) return;
        float maxNorm = 0f;
        for (int s = 0; s < _slotCount; s++)
        {
            float* v = Vec(_storage, s);
            maxNorm = Math.Max(maxNorm, MathF.Sqrt(Distances.Dot(v, v, _dim)));
            BFloat16Distances.Encode(new ReadOnlySpan<float>(v, _dim), new Span<uint>(Row(_storage, s), _words));
        }
        _maxNorm = maxNorm;
    }

    private static void ForEachChunkRange(int slotCount, Action<int, int, int> action)
    {
        for (int start = 0; start < slotCount; start += HnswStorage.ChunkSize)
            action(start >> HnswStorage.ChunkShift, 0, Math.Min(HnswStorage.ChunkSize, slotCount - start));
    }
}
