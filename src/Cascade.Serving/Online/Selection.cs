namespace Cascade.Serving.Online;

/// <summary>
/// Selection without sorting: the k-th largest of a span in expected O(n) (Hoare's FIND with a median-of-three pivot,
/// as in Wirth's "Algorithms + Data Structures"), in place. <see cref="ExactRetriever"/> uses it to turn a candidate
/// buffer into a threshold and to cut its re-scored band to K.
/// </summary>
internal static class Selection
{
    /// <summary>
    /// The <paramref name="k"/>-th largest value (1-based) of <paramref name="values"/>; reorders them so that
    /// values[..k] ≥ result ≥ values[k..]. Values must not be NaN.
    /// </summary>
    public static float KthLargest(Span<float> values, int k)
    {
        if ((uint)(k - 1) >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{values.Length}.");
        int target = k - 1, lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = MedianOfThree(values[lo], values[lo + (hi - lo) / 2], values[hi]);
            int i = lo, j = hi;
            // Descending partition; the pivot is a value of the range, so both scans stop inside it.
            do
            {
                while (values[i] > pivot) i++;
                while (values[j] < pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            } while (i <= j);
            if (j < target) lo = i;
            if (target < i) hi = j;
        }
        return values[target];
    }

    private static float MedianOfThree(float a, float b, float c)
        => a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}
