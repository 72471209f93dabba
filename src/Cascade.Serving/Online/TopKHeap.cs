using Cascade.Index;

namespace Cascade.Serving.Online;

/// <summary>
/// Keeps the K largest (score, slot) pairs of a stream: <see cref="Threshold"/> is the score a new entry must beat
/// (−∞ until K entries are held). A bounded <see cref="MaxHeap"/> of negated scores — the index's own heap, so its
/// worst kept entry is on top and a better one replaces it in one sift-down. Reused across requests; allocates only
/// when K grows.
/// </summary>
public sealed class TopKHeap
{
    private readonly MaxHeap _heap = new(16);
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
        _heap.Clear();
        _k = k; _count = 0;
        Threshold = float.NegativeInfinity;
    }

    /// <summary>Adds (score, slot) when it beats <see cref="Threshold"/>; the caller checks that first.</summary>
    public void Push(float score, int slot)
    {
        if (_heap.Count < _k) _heap.Push(-score, slot);
        else _heap.ReplaceTop(-score, slot);
        if (_heap.Count == _k) Threshold = -_heap.TopKey;
    }

    /// <summary>Moves the kept entries into <see cref="Keys"/>/<see cref="Slots"/> best first and empties the heap; returns their count.</summary>
    public int DrainDescending()
    {
        // The top is the worst kept score, so popping fills the output from its end.
        _count = _heap.Count;
        for (int i = _count - 1; i >= 0; i--)
        {
            _keys[i] = -_heap.TopKey; _slots[i] = _heap.TopValue;
            _heap.Pop();
        }
        return _count;
    }
}
