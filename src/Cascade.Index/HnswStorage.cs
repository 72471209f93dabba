using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Index;

/// <summary>
/// The reader-visible memory of an HNSW index: fixed-size chunks of slots (2^14 per chunk), each chunk holding flat
/// contiguous arrays on the pinned object heap — vectors (S, D), level-0 link blocks (S, 2M + 2) = [version, header,
/// links…], ids (S) and upper-level link arrays. Growth appends a chunk and publishes a NEW directory object; old
/// directories stay valid because chunks never move, so readers never stop while capacity grows.
/// </summary>
internal sealed unsafe class HnswStorage
{
    public const int ChunkShift = 14;
    public const int ChunkSize = 1 << ChunkShift;
    public const int ChunkMask = ChunkSize - 1;

    public readonly int Capacity;
    public readonly nint[] Vectors;   // float* per chunk, (ChunkSize, D)
    public readonly nint[] Blocks;    // int* per chunk, (ChunkSize, Stride0)
    public readonly long[][] Ids;     // (ChunkSize) per chunk
    public readonly int[]?[][] Upper; // per slot: levels 1..L as [count, links(M)] × L, null on level-0-only nodes
    private readonly Array[] _keepAlive;

    private HnswStorage(nint[] vectors, nint[] blocks, long[][] ids, int[]?[][] upper, Array[] keepAlive)
    {
        Vectors = vectors;
        Blocks = blocks;
        Ids = ids;
        Upper = upper;
        _keepAlive = keepAlive;
        Capacity = vectors.Length << ChunkShift;
    }

    public static HnswStorage Empty { get; } = new([], [], [], [], []);

    /// <summary>A new directory with one more chunk; the existing chunks are shared, not copied.</summary>
    public HnswStorage AddChunk(int dimensions, int stride0)
    {
        int c = Vectors.Length;
        var vec = GC.AllocateArray<float>(ChunkSize * dimensions, pinned: true);
        var blk = GC.AllocateArray<int>(ChunkSize * stride0, pinned: true);
        var vectors = new nint[c + 1];
        var blocks = new nint[c + 1];
        Vectors.CopyTo(vectors, 0);
        Blocks.CopyTo(blocks, 0);
        vectors[c] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(vec));
        blocks[c] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(blk));
        var ids = new long[c + 1][];
        Ids.CopyTo(ids, 0);
        ids[c] = new long[ChunkSize];
        var upper = new int[]?[c + 1][];
        Upper.CopyTo(upper, 0);
        upper[c] = new int[]?[ChunkSize];
        var keep = new Array[_keepAlive.Length + 2];
        _keepAlive.CopyTo(keep, 0);
        keep[^2] = vec;
        keep[^1] = blk;
        return new HnswStorage(vectors, blocks, ids, upper, keep);
    }

    public long Bytes(int dimensions, int stride0)
        => (long)Vectors.Length * ChunkSize * (dimensions * 4L + stride0 * 4L + 8 + 8);
}
