using System.Globalization;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Features.Simulation;

namespace Cascade.Features.Tests.Simulation;

/// <summary>The exact click probability of each sample and its join onto the held-out rows of a temporal split.</summary>
public sealed class ClickTruthTests
{
    [Fact]
    public void ProbabilityIsTrueCtrTimesPositionBiasForExposuresAndZeroOtherwise()
    {
        Assert.Equal(0.1, ClickTruth.Probability("exposure", 1, 0.1), 12);
        Assert.Equal(0.1 / 1.35, ClickTruth.Probability("exposure", 2, 0.1), 12); // 1 / (1 + 0.35·1)
        Assert.Equal(0.1 / 1.70, ClickTruth.Probability("exposure", 3, 0.1), 12);
        Assert.Equal(0.0, ClickTruth.Probability("ranking", 0, 0.3));
        Assert.Equal(0.0, ClickTruth.Probability("retrieval", 0, 0.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickTruth.Probability("exposure", 0, 0.1));
        Assert.Contains("'shown'", Assert.Throws<ArgumentException>(() => ClickTruth.Probability("shown", 1, 0.1)).Message);
    }

    [Fact]
    public void TestRowsJoinTheTruthOntoExactlyTheEncodedTestRows()
    {
        string dir = TestData.TempDir();
        var o = new SimulatorOptions { Users = 400, Ads = 120, Days = 1, Seed = 5, RetrievalRows = 4 };
        SimulationOutput.WriteDirectory(o, dir);
        var schema = SchemaLoader.LoadFile(Path.Combine(dir, "schema.yaml"));
        string samples = Path.Combine(dir, "samples.csv");
        var table = TableReaders.Read(schema, samples, new ReadOptions { KeepColumns = ClickTruth.Columns });
        var prepared = TablePreparer.Prepare(schema, table, seed: 1, testFraction: 0.2, validationFraction: 0, temporal: true);
        Assert.Equal(prepared.Test.Count, prepared.TestRows.Count);
        var truth = ClickTruth.ForRows(table, prepared.TestRows);

        // An independent parse of the CSV text: row r of the file is data line r + 1.
        var lines = File.ReadAllLines(samples);
        var header = lines[0].Split(',');
        int ts = Array.IndexOf(header, "ts"), click = Array.IndexOf(header, "click"), src = Array.IndexOf(header, "source"),
            pos = Array.IndexOf(header, "position"), ctr = Array.IndexOf(header, "true_ctr");
        int exposures = 0, clicks = 0;
        for (int k = 0; k < prepared.Test.Count; k++)
        {
            var f = lines[prepared.TestRows[k] + 1].Split(',');
            Assert.Equal(float.Parse(f[click], CultureInfo.InvariantCulture), prepared.Test.Labels[k]);
            Assert.Equal(long.Parse(f[ts], CultureInfo.InvariantCulture), prepared.Test.Timestamps[k]);
            bool shown = f[src] == "exposure";
            Assert.Equal(shown, prepared.Test.Sources[k] == (byte)SampleSource.Exposure);
            double expected = shown ? double.Parse(f[ctr], CultureInfo.InvariantCulture) / (1 + 0.35 * (int.Parse(f[pos], CultureInfo.InvariantCulture) - 1)) : 0;
            Assert.True(Math.Abs(expected - truth[k]) < 1e-7, $"test row {k}: truth {truth[k]}, expected {expected}");
            if (prepared.Test.Labels[k] > 0.5f) { clicks++; Assert.True(truth[k] > 0, $"test row {k} was clicked with probability 0"); }
            if (shown) exposures++;
        }
        Assert.True(exposures > 100 && clicks > 0, $"{exposures} exposures, {clicks} clicks");
        // The test rows are the newest 20 % (temporal split).
        long newestTrain = prepared.Train.Timestamps.Max();
        Assert.All(prepared.Test.Timestamps, t => Assert.True(t >= newestTrain));
    }

    [Fact]
    public void MissingTruthColumnsAreNamed()
    {
        string dir = TestData.TempDir();
        SimulationOutput.WriteDirectory(new SimulatorOptions { Users = 50, Ads = 20, Days = 1, Seed = 2, RetrievalRows = 4 }, dir);
        var schema = SchemaLoader.LoadFile(Path.Combine(dir, "schema.yaml"));
        var plain = TableReaders.Read(schema, Path.Combine(dir, "samples.csv"));
        var e = Assert.Throws<ArgumentException>(() => ClickTruth.ForRows(plain, [0]));
        Assert.Contains("'position'", e.Message);
        Assert.Contains("KeepColumns", e.Message);
        var missing = Assert.Throws<SchemaException>(() => TableReaders.Read(schema, Path.Combine(dir, "samples.csv"), new ReadOptions { KeepColumns = ["true_ctr", "no_such"] }));
        Assert.Contains("no_such", missing.Message);
    }

    [Fact]
    public void BadTruthValueNamesRowAndColumn()
    {
        var table = new RawTable(["source", "position", "true_ctr"]);
        table.Rows.Add(["exposure", "1", "0.05"]);
        table.Rows.Add(["exposure", "2", "1.5"]);
        Assert.Equal(0.05f, ClickTruth.ForRows(table, [0])[0]);
        var e = Assert.Throws<FormatException>(() => ClickTruth.ForRows(table, [0, 1]));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("'true_ctr'", e.Message);
        table.Rows.Add(["exposure", "0", "0.05"]);
        Assert.Contains("row 3", Assert.Throws<FormatException>(() => ClickTruth.ForRows(table, [2])).Message);
    }
}
