using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Index;

/// <summary>
/// Binary max-heap of (key, slot) pairs. Used bounded (the ef best results: <see cref="ReplaceTop"/> evicts the worst
/// in one sift-down instead of a push and a pop) and, with negated keys, as the candidate min-heap. Key and slot of
/// an entry are stored side by side (8 bytes), so comparing two children touches one cache line, not one per array;
/// at ef = 1,000 the heaps hold thousands of entries and every push or pop walks ~10 levels. The array only grows, so
/// a reused heap allocates nothing in steady state.
/// </summary>
public sealed class MaxHeap
{
    /// <summary>One (key, slot) pair.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Entry
    {
        /// <summary>The ordering key (largest on top).</summary>
        public float Key;
        /// <summary>The caller's payload (a node slot, a row index).</summary>
        public int Value;
    }

    private Entry[] _items;

    /// <summary>Creates an empty heap with room for <paramref name="capacity"/> entries (it grows when pushed past).</summary>
    public MaxHeap(int capacity) => _items = new Entry[Math.Max(capacity, 4)];

    /// <summary>Entries held.</summary>
    public int Count { get; private set; }
    /// <summary>The largest key (the heap must not be empty).</summary>
    public float TopKey => _items[0].Key;
    /// <summary>The payload of the largest key.</summary>
    public int TopValue => _items[0].Value;

    /// <summary>The entries in heap order (not sorted).</summary>
    public Span<Entry> Items => _items.AsSpan(0, Count);

    /// <summary>Empties the heap (keeps its storage).</summary>
    public void Clear() => Count = 0;

    /// <summary>Adds (key, val), growing the storage when full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float key, int val)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        ref Entry items = ref MemoryMarshal.GetArrayDataReference(_items);
        int i = Count++;
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            ref Entry parent = ref Unsafe.Add(ref items, p);
            if (parent.Key >= key) break;
            Unsafe.Add(ref items, i) = parent;
            i = p;
        }
        ref Entry slot = ref Unsafe.Add(ref items, i);
        slot.Key = key;
        slot.Value = val;
    }

    /// <summary>Removes the top entry.</summary>
    public void Pop()
    {
        int n = --Count;
        if (n == 0) return;
        Entry last = _items[n];
        SiftDown(last.Key, last.Value, n);
    }

    /// <summary>Replaces the top entry by (key, val) — a pop and a push in one sift-down. The heap must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReplaceTop(float key, int val) => SiftDown(key, val, Count);

    private void SiftDown(float key, int val, int n)
    {
        ref Entry items = ref MemoryMarshal.GetArrayDataReference(_items);
        int i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n) break;
            ref Entry child = ref Unsafe.Add(ref items, c);
            if (c + 1 < n && Unsafe.Add(ref child, 1).Key > child.Key)
            {
                c++;
                child = ref Unsafe.Add(ref child, 1);
            }
            if (child.Key <= key) break;
            Unsafe.Add(ref items, i) = child;
            i = c;
        }
        ref Entry slot = ref Unsafe.Add(ref items, i);
        slot.Key = key;
        slot.Value = val;
    }
}
