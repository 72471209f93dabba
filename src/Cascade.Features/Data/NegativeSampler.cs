using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>
/// Draws negative item ids for retrieval training, uniformly or in proportion to popularity^α (word2vec uses
/// α = 0.75) with Walker's alias table: O(1) per draw, no allocation after construction. Ids run 1..N−1 (id 0 is
/// missing/OOV and never drawn).
/// </summary>
public sealed class NegativeSampler
{
    private readonly float[] _prob;
    private readonly int[] _alias;
    private readonly FeatureRng _rng;
    private readonly bool _uniform;
    private readonly int _n;

    private NegativeSampler(int n, float[] prob, int[] alias, bool uniform, ulong seed)
    {
        _n = n; _prob = prob; _alias = alias; _uniform = uniform; _rng = new FeatureRng(seed);
    }

    /// <summary>Uniform over ids 1..tableSize−1.</summary>
    public static NegativeSampler Uniform(int tableSize, ulong seed)
    {
        if (tableSize < 2) throw new ArgumentOutOfRangeException(nameof(tableSize), "need at least one id besides 0.");
        return new NegativeSampler(tableSize, [], [], true, seed);
    }

    /// <summary>P(id) ∝ count[id]^α for id ≥ 1 (count[0] is ignored).</summary>
    public static NegativeSampler Popularity(ReadOnlySpan<long> counts, double alpha, ulong seed)
    {
        int n = counts.Length;
        var w = new double[n];
        double sum = 0;
        for (int i = 1; i < n; i++) { w[i] = Math.Pow(Math.Max(0, counts[i]), alpha); sum += w[i]; }
        if (sum <= 0) throw new ArgumentException("all counts are zero.", nameof(counts));
        var prob = new float[n]; var alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>(); var large = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            scaled[i] = w[i] / sum * n;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            prob[s] = (float)scaled[s]; alias[s] = l;
            scaled[l] -= 1 - scaled[s];
            (scaled[l] < 1 ? small : large).Push(l);
        }
        while (large.Count > 0) { int l = large.Pop(); prob[l] = 1; alias[l] = l; }
        while (small.Count > 0) { int s = small.Pop(); prob[s] = 1; alias[s] = s; }
        // Row 0 has weight 0 but may hold alias mass of others; it is redirected to its alias when drawn.
        return new NegativeSampler(n, prob, alias, false, seed);
    }

    /// <summary>One negative id, different from <paramref name="positive"/> (pass −1 for no exclusion).</summary>
    public int Next(int positive = -1)
    {
        while (true)
        {
            int id;
            if (_uniform) id = 1 + _rng.NextInt(_n - 1);
            else
            {
                int i = _rng.NextInt(_n);
                id = _rng.NextDouble() < _prob[i] ? i : _alias[i];
                if (id == 0) continue;
            }
            if (id != positive || _n == 2) return id;
        }
    }

    /// <summary>Fills <paramref name="ids"/> with negatives for one positive.</summary>
    public void Fill(Span<int> ids, int positive = -1)
    {
        for (int i = 0; i < ids.Length; i++) ids[i] = Next(positive);
    }
}
