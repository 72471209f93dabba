
namespace Cascade.Index;

/// <summary>
/// The reader-visible memory of an HNSW index: fixed-size chunks of slots (2^14 per chunk), each chunk holding flat
/// contiguous sections of one native allocation (<see cref="ChunkMemory"/>) — vectors (S, D) starting on a 64-byte boundary, a dense array of
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
    private readonly object[] _keepAlive; // the ChunkMemory of every chunk: freed only when no directory holds it

    private HnswStorage(nint[] vectors, nint[] rows, nint[] versions, nint[] blocks, long[][] ids, int[]?[][] upper, object[] keepAlive)
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
        // One native allocation per chunk (ChunkMemory: 2 MB pages on Linux), sections in order of heat for the
        // search: rows, versions, blocks, vectors (under Float32 the vectors are the hot rows and come before blocks).
        // Every section starts on a 64-byte boundary: a D = 32 row is one line in bfloat16, two in fp32.
        long rows = Section(ChunkSize * 4L * words), ver = Section(ChunkSize * 4L);
        long blk = Section(ChunkSize * 4L * stride0), vec = Section(ChunkSize * 4L * dimensions);
        var memory = new ChunkMemory(rows + ver + blk + vec);
        byte* p = memory.Base;
        nint rowsAt = words > 0 ? (nint)p : 0;
        nint verAt = (nint)(p + rows);
        nint blkAt = words > 0 ? (nint)(p + rows + ver) : (nint)(p + rows + ver + vec);
        nint vecAt = words > 0 ? (nint)(p + rows + ver + blk) : (nint)(p + rows + ver);
        var keep = new object[_keepAlive.Length + 1];
        _keepAlive.CopyTo(keep, 0);
        keep[^1] = memory;
        return new HnswStorage(
            Append(Vectors, vecAt),
            Append(Rows, rowsAt),
            Append(Versions, verAt),
            Append(Blocks, blkAt),
            Append(Ids, new long[ChunkSize]),
            Append(Upper, new int[]?[ChunkSize]),
            keep);
    }

    private static long Section(long bytes) => (bytes + Align - 1) & ~(long)(Align - 1);

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
