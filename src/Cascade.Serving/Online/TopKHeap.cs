namespace Cascade.Serving.Online;

/// <summary>
/// A bounded min-heap of (score, slot) keeping the K largest scores: <see cref="Threshold"/> is the score a new entry
/// must beat (−∞ until K entries are held). Reused across requests; allocates only when K grows.
/// </summary>
public sealed class TopKHeap
{
    private float[] _keys = new float[16];
    private int[] _slots = new int[16];
    private int _k, _count;

    /// <summary>Scores after <see cref="DrainDescending"/>: best first.</summary>
    public ReadOnlySpan<float> Keys => _keys.AsSpan(0, _count);
    /// <summary>Slots matching <see cref="Keys"/>.</summary>
    public ReadOnlySpan<int> Slots => _slots.AsSpan(0, _count);
    /// <summary>The score to beat.</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    /// <summary>Empties the heap for a new query of <paramref name="k"/> results.</summary>
    public void Reset(int k)
    {
        if (_keys.Length < k) { _keys = new float[k]; _slots = new int[k]; }
        _k = k; _count = 0;
        Threshold = float.NegativeInfinity;
    }

    /// <summary>Adds (score, slot) when it beats <see cref="Threshold"/>; the caller checks that first.</summary>
    public void Push(float score, int slot)
    {
        if (_count < _k)
        {
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_keys[parent] <= score) break;
                _keys[i] = _keys[parent]; _slots[i] = _slots[parent]; i = parent;
            }
            _keys[i] = score; _slots[i] = slot;
            if (_count == _k) Threshold = _keys[0];
            return;
        }
        SiftDown(score, slot, _count);
        Threshold = _keys[0];
    }

    // Replaces the root (the smallest kept) with (score, slot) and restores the heap over the first n entries.
    private void SiftDown(float score, int slot, int n)
    {
        int i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && _keys[c + 1] < _keys[c]) c++;
            if (_keys[c] >= score) break;
            _keys[i] = _keys[c]; _slots[i] = _slots[c]; i = c;
        }
        _keys[i] = score; _slots[i] = slot;
    }

    /// <summary>Sorts the kept entries best first (heap order is destroyed); returns their count.</summary>
    public int DrainDescending()
    {
        // Heapsort in place: repeatedly move the minimum to the end, so the array ends up in descending order.
        for (int n = _count - 1; n > 0; n--)
        {
            float key = _keys[n]; int slot = _slots[n];
            _keys[n] = _keys[0]; _slots[n] = _slots[0];
            SiftDown(key, slot, n);
        }
        return _count;
    }
}
