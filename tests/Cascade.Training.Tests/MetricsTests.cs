using Cascade.Training.Metrics;

namespace Cascade.Training.Tests;

/// <summary>Every metric against values computed by hand (the arithmetic is in the comments).</summary>
public class MetricsTests
{
    private static readonly float[] Scores = [0.1f, 0.4f, 0.35f, 0.8f];
    private static readonly float[] Labels = [0, 0, 1, 1];

    [Fact]
    public void AucCountsWinningPairs()
    {
        // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win → 3/4.
        Assert.Equal(0.75, BinaryMetrics.Auc(Scores, Labels), 12);
    }

    [Fact]
    public void AucCountsTiesAsHalf()
    {
        // Positive 0.5 ties both negatives (½ + ½); positive 0.9 beats both (2) → 3/4.
        Assert.Equal(0.75, BinaryMetrics.Auc([0.5f, 0.5f, 0.5f, 0.9f], [1, 0, 0, 1]), 12);
        Assert.Equal(0.5, BinaryMetrics.Auc([1f, 1f, 1f, 1f], [1, 0, 1, 0]), 12);
    }

    [Fact]
    public void AucHonoursWeights()
    {
        // Negative 0.4 weighs 2: wins = 0.35 beats 0.1 (1·1) + 0.8 beats both (1·1 + 1·2) = 4; pairs = 2 · 3 = 6.
        Assert.Equal(4.0 / 6.0, BinaryMetrics.Auc(Scores, Labels, [1, 2, 1, 1]), 12);
    }

    [Fact]
    public void AucIsNaNWithOneClassAndRejectsMismatchedLengths()
    {
        Assert.True(double.IsNaN(BinaryMetrics.Auc([0.1f, 0.2f], [1, 1])));
        var ex = Assert.Throws<ArgumentException>(() => BinaryMetrics.Auc([0.1f, 0.2f], [1]));
        Assert.Contains("2 predictions but 1 labels", ex.Message);
    }

    [Fact]
    public void AucMatchesBruteForceOnRandomData()
    {
        var rng = new Random(5);
        var s = new float[300];
        var l = new float[300];
        for (int i = 0; i < s.Length; i++) { s[i] = rng.Next(20) / 20f; l[i] = rng.NextDouble() < 0.3 ? 1 : 0; }
        double wins = 0, pairs = 0;
        for (int i = 0; i < s.Length; i++)
            for (int j = 0; j < s.Length; j++)
                if (l[i] == 1 && l[j] == 0) { pairs++; wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0; }
        Assert.Equal(wins / pairs, BinaryMetrics.Auc(s, l), 10);
    }

    [Fact]
    public void LogLossIsMeanCrossEntropy()
    {
        // −(ln 0.9 + ln 0.8) / 2 = (0.1053605 + 0.2231436) / 2.
        Assert.Equal(0.16425203, BinaryMetrics.LogLoss([0.9f, 0.2f], [1, 0]), 6);
        // Weights 3 and 1: (3·0.1053605 + 0.2231436) / 4 = 0.1348063.
        Assert.Equal(0.1348063, BinaryMetrics.LogLoss([0.9f, 0.2f], [1, 0], [3, 1]), 6);
        // p = 0 for a positive is clipped at 1e-7: −ln(1e-7) = 16.118.
        Assert.Equal(16.1180957, BinaryMetrics.LogLoss([0f], [1]), 4);
    }

    [Fact]
    public void GaucAveragesUsersByImpressions()
    {
        // User 1: AUC 0.75 over 4 samples; user 2: AUC 0 over 2; user 3 has one class and is skipped.
        // (4 · 0.75 + 2 · 0) / 6 = 0.5.
        float[] s = [0.1f, 0.4f, 0.35f, 0.8f, 0.2f, 0.3f, 0.5f];
        float[] l = [0, 0, 1, 1, 1, 0, 1];
        int[] u = [1, 1, 1, 1, 2, 2, 3];
        Assert.Equal(0.5, BinaryMetrics.Gauc(s, l, u), 12);
    }

    [Fact]
    public void RelaImprMatchesTheHitPaperDefinition()
    {
        // HIT 0.9048 vs DSSM 0.8697: (0.4048 / 0.3697 − 1) · 100 = 9.4942 %.
        Assert.Equal(9.49418, BinaryMetrics.RelaImpr(0.9048, 0.8697), 4);
    }

    [Fact]
    public void CalibrationAndAccuracy()
    {
        Assert.Equal(0.6, BinaryMetrics.Calibration([0.2f, 0.4f], [0, 1]), 6);
        Assert.Equal(1.0 / 3.0, BinaryMetrics.Accuracy([0.9f, 0.2f, 0.6f], [1, 1, 0]), 12);
    }

    [Fact]
    public void RecallAndNdcgAtK()
    {
        var relevant = new HashSet<int> { 3, 1, 7 };
        // Top-2 = {5, 3}: one of three relevant.
        Assert.Equal(1.0 / 3.0, RankingMetrics.RecallAtK([5, 3, 9, 1], relevant, 2), 12);
        // Top-3 has a hit at rank 2: DCG = 1/log2(3) = 0.63093; ideal = 1 + 0.63093 + 0.5 = 2.13093.
        Assert.Equal(0.63092975 / 2.13092975, RankingMetrics.NdcgAtK([5, 3, 9, 1], relevant, 3), 6);
        Assert.Equal(1.0, RankingMetrics.NdcgAtK([3, 1, 7], relevant, 3), 12);
    }
}
