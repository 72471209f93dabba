using System.Collections.Concurrent;

namespace Cascade.Serving.Online;

/// <summary>
/// The live ads by id. Ad ids are usually dense database keys, so ids in [1, <see cref="DenseLimit"/>) live in an
/// array indexed by id (one load per lookup) and only other ids go to a concurrent dictionary. The HNSW eligibility
/// filter looks up every node the graph search visits (~10⁴ per request at ef = 1,000), where a hashed lookup was
/// ~5 % of the request's CPU. One writer (the near-line updater), any number of readers: entries are immutable
/// <see cref="AdState"/> records swapped with a volatile write, and growth publishes a new array.
/// </summary>
internal sealed class AdTable
{
    /// <summary>Ids below this use the dense array (16 M ids = 128 MB of references at most).</summary>
    public const long DenseLimit = 1 << 24;

    private AdState?[] _dense = new AdState?[1024];
    // AdState.Eligible of the dense ids, one byte each: the HNSW filter reads 100 KB (100,000 ads, L2-resident) instead
    // of dereferencing a scattered AdState per visited node (a likely cache miss each). perf on the 100,000-ad bundle:
    // the filter's share of samples fell from 20 % to 3 %, but part of that stall moved to the graph's vector reads
    // (median retrieval time unchanged within the loaded machine's noise).
    private byte[] _eligible = new byte[1024];
    private readonly ConcurrentDictionary<long, AdState> _sparse = new();
    private int _count;

    /// <summary>Ads held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The ad with <paramref name="id"/>, or null.</summary>
    public AdState? Get(long id)
    {
        if ((ulong)id < (ulong)DenseLimit)
        {
            var dense = Volatile.Read(ref _dense);
            return (ulong)id < (ulong)dense.Length ? Volatile.Read(ref dense[id]) : null;
        }
        return _sparse.TryGetValue(id, out var a) ? a : null;
    }

    /// <summary>
    /// True when the ad with <paramref name="id"/> is held and eligible (<see cref="AdState.Eligible"/>). Readers racing
    /// the writer may see the previous value for an instant, as with <see cref="Get"/>; the auction re-checks.
    /// </summary>
    public bool IsEligible(long id)
    {
        if ((ulong)id < (ulong)DenseLimit)
        {
            var flags = Volatile.Read(ref _eligible);
            return (ulong)id < (ulong)flags.Length && flags[id] != 0;
        }
        return _sparse.TryGetValue(id, out var a) && a.Eligible;
    }

    /// <summary>Inserts or replaces the state of <c>ad.Id</c> (writer thread only).</summary>
    public void Set(AdState ad)
    {
        long id = ad.Id;
        if ((ulong)id < (ulong)DenseLimit)
        {
            var dense = _dense;
            if (id >= dense.Length)
            {
                var grown = new AdState?[Math.Min(DenseLimit, Math.Max(dense.Length * 2L, id + 1))];
                dense.CopyTo(grown, 0);
                var flags = new byte[grown.Length];
                _eligible.CopyTo(flags, 0);
                Volatile.Write(ref _eligible, flags);
                Volatile.Write(ref _dense, grown);
                dense = grown;
            }
            if (dense[id] is null) Interlocked.Increment(ref _count);
            Volatile.Write(ref dense[id], ad);
            Volatile.Write(ref _eligible[id], ad.Eligible ? (byte)1 : (byte)0);
            return;
        }
        if (_sparse.TryAdd(id, ad)) Interlocked.Increment(ref _count);
        else _sparse[id] = ad;
    }

    /// <summary>Removes <paramref name="id"/> (writer thread only); returns false when it was not held.</summary>
    public bool Remove(long id)
    {
        if ((ulong)id < (ulong)DenseLimit)
        {
            var dense = _dense;
            if (id >= dense.Length || dense[id] is null) return false;
            Volatile.Write(ref _eligible[id], 0);
            Volatile.Write(ref dense[id], null);
            Interlocked.Decrement(ref _count);
            return true;
        }
        if (!_sparse.TryRemove(id, out _)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }
}
