using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Features.Simulation;
using Cascade.Training.Metrics;

namespace Cascade.Training.Tests;

/// <summary>Oracle AUC: hand-computed cases, the row subset, and the simulator path the quick-start uses.</summary>
public sealed class OracleMetricsTests
{
    [Fact]
    public void HandComputedModelAndOracleAuc()
    {
        float[] labels = [1, 0, 1, 0, 1];
        float[] truth = [0.9f, 0.1f, 0.4f, 0.5f, 0.2f];
        float[] scores = [0.3f, 0.3f, 0.8f, 0.1f, 0.7f];
        // truth: positives {0.9, 0.4, 0.2} vs negatives {0.1, 0.5}: 0.9 beats both, 0.4 beats 0.1, 0.2 beats 0.1 → 4/6.
        // scores: positives {0.3, 0.8, 0.7} vs negatives {0.3, 0.1}: 0.3 ties 0.3 (½) and beats 0.1, the others beat both → 5.5/6.
        var all = OracleMetrics.Evaluate(scores, labels, truth);
        Assert.Equal(4.0 / 6, all.Oracle, 12);
        Assert.Equal(5.5 / 6, all.Model, 12);
        Assert.Equal(5, all.Rows);
        Assert.Equal(3, all.Positives);
        Assert.Equal(4.0 / 6 - 5.5 / 6, all.Gap, 12);
        // Rows 0, 1, 2, 3 only: truth positives {0.9, 0.4} vs {0.1, 0.5} → 3/4; scores {0.3, 0.8} vs {0.3, 0.1} → 3.5/4.
        var some = OracleMetrics.Evaluate(scores, labels, truth, [0, 1, 2, 3]);
        Assert.Equal(0.75, some.Oracle, 12);
        Assert.Equal(0.875, some.Model, 12);
        Assert.Equal(4, some.Rows);
    }

    [Fact]
    public void MismatchedLengthsAndRowsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => OracleMetrics.Evaluate([0.1f, 0.2f], [0, 1], [0.5f]));
        Assert.Throws<ArgumentException>(() => OracleMetrics.Evaluate([0.1f], [0, 1], [0.5f, 0.5f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => OracleMetrics.Evaluate([0.1f, 0.2f], [0, 1], [0.5f, 0.6f], [2]));
    }

    [Fact]
    public void ModelThatOutputsTheTruthReachesTheOracleOnSimulatedTestRows()
    {
        // The quick-start's path (MarketPipeline): simulate → read with the truth columns kept → temporal split →
        // truth of PreparedTable.TestRows → evaluate on all test rows and on the exposures.
        string dir = Path.Combine(Path.GetTempPath(), "cascade-oracle-" + Guid.NewGuid().ToString("N"));
        try
        {
            SimulationOutput.WriteDirectory(new SimulatorOptions { Users = 1500, Ads = 300, Days = 1, Seed = 9, RetrievalRows = 4 }, dir);
            var schema = SchemaLoader.LoadFile(Path.Combine(dir, "schema.yaml"));
            var table = TableReaders.Read(schema, Path.Combine(dir, "samples.csv"), new ReadOptions { KeepColumns = ClickTruth.Columns });
            var prepared = TablePreparer.Prepare(schema, table, seed: 1, testFraction: 0.2, validationFraction: 0, temporal: true);
            var truth = ClickTruth.ForRows(table, prepared.TestRows);
            var labels = prepared.Test.Labels;
            var shown = Enumerable.Range(0, prepared.Test.Count).Where(i => prepared.Test.Sources[i] == (byte)Cascade.Features.Encoders.SampleSource.Exposure).ToArray();

            var perfect = OracleMetrics.Evaluate(truth, labels, truth);
            Assert.Equal(perfect.Oracle, perfect.Model);
            var perfectShown = OracleMetrics.Evaluate(truth, labels, truth, shown);
            Assert.Equal(perfectShown.Oracle, perfectShown.Model);
            // Unshown rows have probability 0 and are never clicked, so the oracle on all rows is above the one on exposures.
            Assert.True(perfect.Oracle > perfectShown.Oracle, $"{perfect.Oracle} vs {perfectShown.Oracle}");
            Assert.True(perfectShown.Oracle is > 0.5 and < 1, $"oracle on exposures {perfectShown.Oracle}");
            Assert.Equal(perfect.Positives, perfectShown.Positives);

            // Misaligned truth (the test rows in reverse order) is no longer the truth of these rows: its AUC drops.
            var reversed = truth.Reverse().ToArray();
            var misaligned = OracleMetrics.Evaluate(reversed, labels, truth, shown);
            Assert.True(misaligned.Model < perfectShown.Oracle, $"misaligned {misaligned.Model} vs oracle {perfectShown.Oracle}");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
