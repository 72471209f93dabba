namespace Cascade.Training.Metrics;

/// <summary>
/// Metrics of binary classifiers (CTR/CVR models): AUC, log-loss, accuracy, calibration, GAUC and RelaImpr.
/// Every metric takes optional sample weights (empty span = all ones).
/// </summary>
public static class BinaryMetrics
{
    /// <summary>
    /// Exact ROC AUC: the probability that a random positive scores above a random negative, ties counted as ½
    /// (Mann–Whitney U with mid-ranks). With weights, each pair counts w⁺·w⁻. Returns NaN when one class is absent.
    /// O(n log n).
    /// </summary>
    /// <param name="scores">Predicted scores (any monotone scale: logits or probabilities).</param>
    /// <param name="labels">Labels; &gt; 0.5 is positive.</param>
    /// <param name="weights">Sample weights, or empty.</param>
    public static double Auc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<float> weights = default)
    {
        CheckLengths(scores.Length, labels.Length, weights.Length, "AUC");
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        // Walk groups of equal score in ascending order: a positive beats every negative below its group and ties
        // with the negatives inside it (½ each).
        double negBelow = 0, totalPos = 0, totalNeg = 0, area = 0;
        int g = 0;
        while (g < n)
        {
            int end = g;
            while (end < n && keys[end] == keys[g]) end++;
            double pos = 0, neg = 0;
            for (int j = g; j < end; j++)
            {
                int i = order[j];
                double w = weights.IsEmpty ? 1.0 : weights[i];
                if (labels[i] > 0.5f) pos += w; else neg += w;
            }
            area += pos * (negBelow + 0.5 * neg);
            negBelow += neg;
            totalPos += pos;
            totalNeg += neg;
            g = end;
        }
        return totalPos == 0 || totalNeg == 0 ? double.NaN : area / (totalPos * totalNeg);
    }

    /// <summary>
    /// Mean binary cross-entropy −[y log p + (1 − y) log(1 − p)], with p clipped to [1e-7, 1 − 1e-7] (the
    /// clipping sklearn and DeepCTR use), weighted by sample weights and divided by their sum.
    /// </summary>
    public static double LogLoss(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels, ReadOnlySpan<float> weights = default)
    {
        CheckLengths(probabilities.Length, labels.Length, weights.Length, "log-loss");
        const double eps = 1e-7;
        double sum = 0, wsum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = Math.Clamp(probabilities[i], eps, 1 - eps);
            double y = labels[i];
            double w = weights.IsEmpty ? 1.0 : weights[i];
            sum -= w * (y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
            wsum += w;
        }
        return wsum == 0 ? double.NaN : sum / wsum;
    }

    /// <summary>Weighted share of samples whose prediction (p ≥ threshold) matches the label.</summary>
    public static double Accuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels, float threshold = 0.5f, ReadOnlySpan<float> weights = default)
    {
        CheckLengths(probabilities.Length, labels.Length, weights.Length, "accuracy");
        double hit = 0, wsum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if ((probabilities[i] >= threshold) == (labels[i] > 0.5f)) hit += w;
            wsum += w;
        }
        return wsum == 0 ? double.NaN : hit / wsum;
    }

    /// <summary>Calibration ratio Σ w·p / Σ w·y (1 is perfectly calibrated on average; NaN without positives).</summary>
    public static double Calibration(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels, ReadOnlySpan<float> weights = default)
    {
        CheckLengths(probabilities.Length, labels.Length, weights.Length, "calibration");
        double p = 0, y = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            p += w * probabilities[i];
            y += w * labels[i];
        }
        return y == 0 ? double.NaN : p / y;
    }

    /// <summary>
    /// Group AUC (per user): Σ_u n_u · AUC_u / Σ_u n_u over users whose samples hold both classes, n_u being the
    /// user's (weighted) sample count — the definition of DIN (Zhou et al. 2018) and the Tencent paper.
    /// Users with a single class are skipped because their AUC is undefined.
    /// </summary>
    public static double Gauc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<int> groups, ReadOnlySpan<float> weights = default)
    {
        CheckLengths(scores.Length, labels.Length, weights.Length, "GAUC");
        if (groups.Length != scores.Length) throw new ArgumentException($"GAUC: {groups.Length} group ids for {scores.Length} scores.");
        var byGroup = new Dictionary<int, List<int>>();
        for (int i = 0; i < groups.Length; i++)
        {
            if (!byGroup.TryGetValue(groups[i], out var list)) byGroup[groups[i]] = list = new List<int>();
            list.Add(i);
        }
        double num = 0, den = 0;
        foreach (var idx in byGroup.Values)
        {
            var s = new float[idx.Count];
            var l = new float[idx.Count];
            var w = weights.IsEmpty ? [] : new float[idx.Count];
            double n = 0;
            for (int j = 0; j < idx.Count; j++)
            {
                s[j] = scores[idx[j]];
                l[j] = labels[idx[j]];
                if (!weights.IsEmpty) w[j] = weights[idx[j]];
                n += weights.IsEmpty ? 1.0 : weights[idx[j]];
            }
            double auc = Auc(s, l, w);
            if (double.IsNaN(auc)) continue;
            num += n * auc;
            den += n;
        }
        return den == 0 ? double.NaN : num / den;
    }

    /// <summary>
    /// RelaImpr (Yan et al. 2014, used by DIN and HIT): ((AUC_model − 0.5) / (AUC_base − 0.5) − 1) × 100, in percent.
    /// </summary>
    public static double RelaImpr(double aucModel, double aucBase)
    {
        if (aucBase == 0.5) throw new ArgumentException("RelaImpr is undefined for a base AUC of exactly 0.5.");
        return ((aucModel - 0.5) / (aucBase - 0.5) - 1) * 100;
    }

    internal static void CheckLengths(int n, int labels, int weights, string metric)
    {
        if (labels != n) throw new ArgumentException($"{metric}: {n} predictions but {labels} labels.");
        if (weights != 0 && weights != n) throw new ArgumentException($"{metric}: {n} predictions but {weights} weights (pass none or one per sample).");
    }
}
