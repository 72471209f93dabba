namespace Cascade.Training.Metrics;

/// <summary>A model's AUC next to the oracle AUC on exactly the same rows.</summary>
/// <param name="Model">AUC of the model's scores.</param>
/// <param name="Oracle">AUC of the ground-truth click probability: the best AUC any model can expect on these rows.</param>
/// <param name="Rows">Rows evaluated.</param>
/// <param name="Positives">Positive labels among them.</param>
public readonly record struct OracleAuc(double Model, double Oracle, int Rows, int Positives)
{
    /// <summary>Oracle minus model AUC: how much a better model could still gain on these rows.</summary>
    public double Gap => Oracle - Model;
}

/// <summary>
/// Oracle metrics for data whose label-generating probability is known (the ad-market simulator's
/// <c>ClickTruth</c>): the labels are Bernoulli draws of the truth, so no score can beat the truth's AUC in
/// expectation. A model that scores 0.63 against an oracle of 0.66 is close to the noise floor; against 0.80 it is weak.
/// </summary>
public static class OracleMetrics
{
    /// <summary>
    /// AUC of <paramref name="scores"/> and of <paramref name="truth"/> against <paramref name="labels"/>, both on the
    /// rows listed in <paramref name="rows"/> (indices into the three aligned spans), or on every row when it is empty.
    /// </summary>
    /// <param name="scores">(N) model scores.</param>
    /// <param name="labels">(N) labels; &gt; 0.5 is positive.</param>
    /// <param name="truth">(N) the probability each label was drawn with.</param>
    /// <param name="rows">Row subset (e.g. the exposures), or empty for all rows.</param>
    public static OracleAuc Evaluate(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<float> truth, ReadOnlySpan<int> rows = default)
    {
        BinaryMetrics.CheckLengths(scores.Length, labels.Length, 0, "oracle AUC");
        if (truth.Length != scores.Length) throw new ArgumentException($"oracle AUC: {scores.Length} predictions but {truth.Length} ground-truth probabilities.");
        if (rows.IsEmpty)
            return new OracleAuc(BinaryMetrics.Auc(scores, labels), BinaryMetrics.Auc(truth, labels), scores.Length, Positives(labels));
        var s = new float[rows.Length]; var l = new float[rows.Length]; var t = new float[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            if ((uint)i >= (uint)scores.Length) throw new ArgumentOutOfRangeException(nameof(rows), i, $"oracle AUC: row {i} is outside 0..{scores.Length - 1}.");
            s[k] = scores[i]; l[k] = labels[i]; t[k] = truth[i];
        }
        return new OracleAuc(BinaryMetrics.Auc(s, l), BinaryMetrics.Auc(t, l), rows.Length, Positives(l));
    }

    private static int Positives(ReadOnlySpan<float> labels)
    {
        int p = 0;
        foreach (float y in labels) if (y > 0.5f) p++;
        return p;
    }
}
