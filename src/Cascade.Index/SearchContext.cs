using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Index;

/// <summary>
/// Per-search scratch: a visited set with epoch tags (a slot is visited when its tag equals the current epoch, so
/// starting a search is one increment instead of clearing N entries; the array is cleared once every 255 searches
/// when the 8-bit epoch wraps), the two heaps, link and gather buffers. Byte tags rather than 16-bit ones: at 1M
/// nodes the set is 1 MB instead of 2 MB, so it shares the 2 MB L2 with the search's other data instead of filling
/// it; the extra clear (1 MB every 255 searches) costs ~0.1 µs per search. Rented from <see cref="SearchContextPool"/>.
/// </summary>
internal sealed class SearchContext
{
    public byte[] Visited = [];
    private byte _epoch;
    public readonly MaxHeap Candidates = new(256);
    public readonly MaxHeap Results = new(256);
    public readonly int[] Links;        // (2M) one node's neighbour list
    public readonly float[] Query;      // (D) the query, normalised under cosine
    public readonly float[] QuerySplit; // (2·⌈D/2⌉) its even then odd components, for the bfloat16 kernels
    public float[] Gather;              // (2M, D) neighbour vectors handed to a neural scorer
    public readonly float[] Scores;     // (2M)
    public readonly int[] GatherSlots;  // (2M)
    public readonly int[] Fresh;        // (2M) unvisited neighbours of the node being expanded
    public readonly float[] FreshDist;  // (2M) their distances
    public readonly bool[] FreshDeleted; // (2M) their deleted flags
    public const int NearCapacity = 64;
    public readonly int[] NearSlots = new int[NearCapacity];     // ring of nodes the bfloat16 walk rejected narrowly
    public readonly float[] NearKeys = new float[NearCapacity];  // their walk distances
    public int NearCount;                                         // recorded so far (the ring keeps the latest 64)
    public int[] OutSlots = new int[64];
    public float[] OutKeys = new float[64];
    public float[] RerankKeys = new float[64];           // exact distances of the re-scored candidates
    public SearchResult[] RerankItems = new SearchResult[64];
    public readonly List<(float Dist, int Slot)> Pairs = new(64);
    public readonly List<int> Selected = new(64);
    public readonly List<int> Scratch = new(64);

    public SearchContext(HnswIndex index)
    {
        int m0 = 2 * index.Options.M;
        Links = new int[m0];
        Query = new float[index.Dimensions];
        QuerySplit = new float[2 * BFloat16Distances.WordsPerRow(index.Dimensions)];
        Gather = new float[m0 * index.Dimensions];
        Scores = new float[m0];
        GatherSlots = new int[m0];
        Fresh = new int[m0];
        FreshDist = new float[m0];
        FreshDeleted = new bool[m0];
    }

    /// <summary>Keeps a narrowly rejected node; the latest 64 survive (the bound only tightens, so they matter most).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordNearMiss(int slot, float key)
    {
        int i = NearCount++ & (NearCapacity - 1);
        NearSlots[i] = slot;
        NearKeys[i] = key;
    }

    /// <summary>Grows the drain buffers to hold <paramref name="count"/> results (once per larger ef, then reused).</summary>
    public void EnsureOutput(int count)
    {
        if (OutSlots.Length >= count) return;
        OutSlots = new int[count];
        OutKeys = new float[count];
        RerankKeys = new float[count];
        RerankItems = new SearchResult[count];
    }

    public void NewEpoch(int capacity)
    {
        if (Visited.Length < capacity) { Visited = new byte[capacity]; _epoch = 0; }
        if (++_epoch == 0)
        {
            Array.Clear(Visited);
            _epoch = 1;
        }
    }

    /// <summary>Marks <paramref name="slot"/> visited; false when it already was in this search.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryVisit(int slot)
    {
        var visited = Visited;
        if ((uint)slot >= (uint)visited.Length) visited = GrowVisited(slot);
        ref byte tag = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(visited), slot); // in range: checked above
        if (tag == _epoch) return false;
        tag = _epoch;
        return true;
    }

    private byte[] GrowVisited(int slot)
    {
        // Capacity grew during this search; rare, so the copy is acceptable.
        var grown = new byte[Math.Max(slot + 1, Visited.Length * 2)];
        Visited.CopyTo(grown, 0);
        Visited = grown;
        return grown;
    }
}

/// <summary>
/// Lock-free pool of search contexts (an array of slots taken with Interlocked.Exchange): concurrent searches each
/// rent one, so steady-state searches allocate nothing. More concurrent searches than slots allocate extra contexts,
/// which are dropped on return when the pool is full.
/// </summary>
internal sealed class SearchContextPool
{
    private readonly SearchContext?[] _items = new SearchContext?[Math.Max(8, 2 * Environment.ProcessorCount)];
    private readonly HnswIndex _index;

    public SearchContextPool(HnswIndex index) => _index = index;

    public SearchContext Rent()
    {
        for (int i = 0; i < _items.Length; i++)
        {
            var c = Interlocked.Exchange(ref _items[i], null);
            if (c is not null) return c;
        }
        return new SearchContext(_index);
    }

    public void Return(SearchContext context)
    {
        for (int i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], context, null) is null) return;
        }
    }
}
