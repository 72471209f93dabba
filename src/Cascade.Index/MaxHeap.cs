using System.Runtime.CompilerServices;

namespace Cascade.Index;

/// <summary>
/// Binary max-heap of (key, slot) pairs in two parallel arrays. Used bounded (the ef best results: pop the worst) and,
/// with negated keys, as the candidate min-heap. Arrays only grow, so a reused heap allocates nothing in steady state.
/// </summary>
internal sealed class MaxHeap
{
    private float[] _keys;
    private int[] _vals;

    public MaxHeap(int capacity)
    {
        _keys = new float[Math.Max(capacity, 4)];
        _vals = new int[Math.Max(capacity, 4)];
    }

    public int Count { get; private set; }
    public float TopKey => _keys[0];
    public int TopValue => _vals[0];

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float key, int val)
    {
        if (Count == _keys.Length) Grow();
        int i = Count++;
        var keys = _keys;
        var vals = _vals;
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (keys[p] >= key) break;
            keys[i] = keys[p];
            vals[i] = vals[p];
            i = p;
        }
        keys[i] = key;
        vals[i] = val;
    }

    public void Pop()
    {
        int n = --Count;
        if (n == 0) return;
        float key = _keys[n];
        int val = _vals[n];
        var keys = _keys;
        var vals = _vals;
        int i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && keys[c + 1] > keys[c]) c++;
            if (keys[c] <= key) break;
            keys[i] = keys[c];
            vals[i] = vals[c];
            i = c;
        }
        keys[i] = key;
        vals[i] = val;
    }

    private void Grow()
    {
        Array.Resize(ref _keys, _keys.Length * 2);
        Array.Resize(ref _vals, _vals.Length * 2);
    }
}
