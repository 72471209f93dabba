using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Index;

/// <summary>
/// The reader-visible memory of an HNSW index: fixed-size chunks of slots (2^14 per chunk), each chunk holding flat
/// contiguous arrays on the pinned object heap — vectors (S, D) starting on a 64-byte boundary, a dense array of
/// per-node version words (S), level-0 link blocks (S, 2M + 2) = [reserved, header, links…], ids (S) and upper-level
/// link arrays, plus (when the index walks in bfloat16) a half-size copy of the vectors, (S, ⌈D/2⌉) words, also
/// 64-byte aligned. Growth appends a chunk and publishes a NEW directory object; old directories stay valid because
/// chunks never move, so readers never stop while capacity grows.
/// </summary>
/// <remarks>
/// The version words sit in their own dense array (4 bytes per node: 4 MB at 1M nodes, cache-resident) instead of
/// at the head of the 136-byte link block: validating a neighbour's distance then touches the vector and a word
/// that is usually cached, not a second random DRAM line (docs/design/hnsw.md, "Hot path"). The first int of each
/// link block is kept, unused and zero, so the file format (which stores the blocks raw) is unchanged.
/// </remarks>
internal sealed unsafe class HnswStorage
{
    public const int ChunkShift = 14;
    public const int ChunkSize = 1 << ChunkShift;
    public const int ChunkMask = ChunkSize - 1;
    private const int Align = 64;

    public readonly int Capacity;
    public readonly nint[] Vectors;   // float* per chunk, (ChunkSize, D), 64-byte aligned
    public readonly nint[] Rows;      // uint* per chunk, (ChunkSize, W) bfloat16 pairs, 64-byte aligned; 0 when W = 0
    public readonly nint[] Versions;  // int* per chunk, (ChunkSize): the node's sequence lock and deleted bit
    public readonly nint[] Blocks;    // int* per chunk, (ChunkSize, Stride0)
    public readonly long[][] Ids;     // (ChunkSize) per chunk
    public readonly int[]?[][] Upper; // per slot: levels 1..L as [count, links(M)] × L, null on level-0-only nodes
    private readonly Array[] _keepAlive;

    private HnswStorage(nint[] vectors, nint[] rows, nint[] versions, nint[] blocks, long[][] ids, int[]?[][] upper, Array[] keepAlive)
    {
        Vectors = vectors;
        Rows = rows;
        Versions = versions;
        Blocks = blocks;
        Ids = ids;
        Upper = upper;
        _keepAlive = keepAlive;
        Capacity = vectors.Length << ChunkShift;
    }

    public static HnswStorage Empty { get; } = new([], [], [], [], [], [], []);

    /// <summary>
    /// A new directory with one more chunk; the existing chunks are shared, not copied. <paramref name="words"/> is
    /// the bfloat16 row length in 32-bit words (0: no compressed copy).
    /// </summary>
    public HnswStorage AddChunk(int dimensions, int stride0, int words)
    {
        int c = Vectors.Length;
        // Rows of D = 16·j floats then never straddle a cache line more than they must (D = 32: 2 lines, not 3).
        var vec = GC.AllocateArray<float>(ChunkSize * dimensions + Align / sizeof(float), pinned: true);
        var ver = GC.AllocateArray<int>(ChunkSize, pinned: true);
        var blk = GC.AllocateArray<int>(ChunkSize * stride0, pinned: true);
        // D = 32 in bfloat16 is 64 bytes: aligned, each row is exactly one cache line.
        var rows = words > 0 ? GC.AllocateArray<uint>(ChunkSize * words + Align / sizeof(uint), pinned: true) : null;
        var keep = new Array[_keepAlive.Length + 4];
        _keepAlive.CopyTo(keep, 0);
        keep[^4] = rows ?? Array.Empty<uint>();
        keep[^3] = vec;
        keep[^2] = ver;
        keep[^1] = blk;
        return new HnswStorage(
            Append(Vectors, AlignUp(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(vec)))),
            Append(Rows, rows is null ? 0 : AlignUp(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(rows)))),
            Append(Versions, (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(ver))),
            Append(Blocks, (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(blk))),
            Append(Ids, new long[ChunkSize]),
            Append(Upper, new int[]?[ChunkSize]),
            keep);
    }

    private static nint AlignUp(void* p) => (nint)(((ulong)p + Align - 1) & ~(ulong)(Align - 1));

    private static T[] Append<T>(T[] items, T item)
    {
        var grown = new T[items.Length + 1];
        items.CopyTo(grown, 0);
        grown[^1] = item;
        return grown;
    }

    public long Bytes(int dimensions, int stride0, int words)
        => (long)Vectors.Length * ChunkSize * (dimensions * 4L + words * 4L + stride0 * 4L + 4 + 8 + 8);
}
