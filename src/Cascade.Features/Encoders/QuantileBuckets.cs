namespace Cascade.Features.Encoders;

/// <summary>
/// Equal-frequency buckets: boundaries are the i/N quantiles of the training values (duplicates removed), and
/// id(x) = 1 + #{boundaries ≤ x}, so ids run 1..Boundaries+1 and 0 means missing (NaN).
/// </summary>
public sealed class QuantileBuckets
{
    /// <summary>Sorted, distinct bucket boundaries.</summary>
    public float[] Boundaries { get; }

    /// <summary>Creates the encoder from boundaries (must be sorted ascending and distinct).</summary>
    public QuantileBuckets(float[] boundaries)
    {
        for (int i = 1; i < boundaries.Length; i++)
            if (!(boundaries[i] > boundaries[i - 1])) throw new ArgumentException("boundaries must be strictly increasing.", nameof(boundaries));
        Boundaries = boundaries;
    }

    /// <summary>Table size: boundaries + 2 (missing and the buckets).</summary>
    public int Size => Boundaries.Length + 2;

    /// <summary>Fits <paramref name="buckets"/> quantile buckets on training values (NaNs ignored).</summary>
    public static QuantileBuckets Fit(ReadOnlySpan<float> values, int buckets)
    {
        var v = new List<float>(values.Length);
        foreach (float x in values) if (!float.IsNaN(x)) v.Add(x);
        v.Sort();
        var b = new List<float>();
        for (int i = 1; i < buckets && v.Count > 0; i++)
        {
            float q = v[(int)((long)i * v.Count / buckets)];
            if (b.Count == 0 || q > b[^1]) b.Add(q);
        }
        return new QuantileBuckets([.. b]);
    }

    /// <summary>Bucket id of a value (0 for NaN).</summary>
    public int Encode(float x)
    {
        if (float.IsNaN(x)) return 0;
        int lo = 0, hi = Boundaries.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Boundaries[mid] <= x) lo = mid + 1; else hi = mid;
        }
        return 1 + lo;
    }
}
