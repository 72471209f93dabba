using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;
using Cascade.Features.Schema;

namespace Cascade.Features.Tests;

/// <summary>Seeded random properties of the parsers: generated files read back exactly; one corrupted field is found.</summary>
public class ParserPropertyTests
{
    private static string CriteoLine(FeatureRng rng, out string[] fields)
    {
        fields = new string[40];
        fields[0] = rng.NextInt(2).ToString();
        for (int i = 1; i <= 13; i++) fields[i] = rng.NextInt(5) == 0 ? "" : rng.NextInt(100_000).ToString();
        for (int i = 14; i < 40; i++) fields[i] = rng.NextInt(6) == 0 ? "" : rng.NextUInt64().ToString("x8")[..8];
        return string.Join('\t', fields);
    }

    [Fact]
    public void GeneratedCriteoFilesReadBackExactly()
    {
        var schema = SchemaLoader.LoadFile(Path.Combine(ReaderTests.RepoRoot(), "configs", "schemas", "criteo.yaml"));
        for (int trial = 0; trial < 10; trial++)
        {
            var rng = new FeatureRng((ulong)trial);
            int n = 1 + rng.NextInt(60);
            var expected = new List<string[]>();
            var lines = new List<string>();
            for (int i = 0; i < n; i++) { lines.Add(CriteoLine(rng, out var f)); expected.Add(f); }
            string dir = TestData.TempDir();
            string p = trial % 2 == 0 ? TestData.Write(dir, "c.txt", string.Join("\n", lines) + "\n") : TestData.WriteGz(dir, "c.gz", string.Join("\n", lines));
            var t = TableReaders.Read(schema, p);
            Assert.Equal(n, t.Rows.Count);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 40; c++)
                    Assert.Equal(expected[i][c], t.Rows[i][t.IndexOf(Formats.Criteo.Columns[c])]);
        }
    }

    [Fact]
    public void OneCorruptedFieldIsReportedAtItsLineAndColumn()
    {
        var schema = SchemaLoader.LoadFile(Path.Combine(ReaderTests.RepoRoot(), "configs", "schemas", "criteo.yaml"));
        var rng = new FeatureRng(99);
        for (int trial = 0; trial < 25; trial++)
        {
            int n = 2 + rng.NextInt(30), badLine = rng.NextInt(n), badCol = rng.NextInt(40);
            var lines = new List<string>();
            for (int i = 0; i < n; i++)
            {
                CriteoLine(rng, out var f);
                if (i == badLine) f[badCol] = badCol == 0 ? "2" : badCol <= 13 ? "1.5x" : "not-hex";
                lines.Add(string.Join('\t', f));
            }
            string p = TestData.Write(TestData.TempDir(), "c.txt", string.Join("\n", lines) + "\n");
            var e = Assert.Throws<DataFormatException>(() => TableReaders.Read(schema, p));
            Assert.Equal(badLine + 1, e.Line);
            Assert.Equal(badCol + 1, e.Column);
            Assert.Equal(Formats.Criteo.Columns[badCol], e.ColumnName);
            var skipped = TableReaders.Read(schema, p, new ReadOptions(SkipBadLines: true));
            Assert.Equal(n - 1, skipped.Rows.Count);
            Assert.Equal(1, skipped.Reports[0].BadLines);
        }
    }

    [Fact]
    public void GeneratedMovieLensRatingsRoundTrip()
    {
        var rng = new FeatureRng(4);
        for (int trial = 0; trial < 10; trial++)
        {
            int n = 1 + rng.NextInt(200);
            bool ts = rng.NextInt(2) == 0;
            var rows = Enumerable.Range(0, n).Select(_ => (U: 1 + rng.NextInt(6040), M: 1 + rng.NextInt(3952), R: 1 + rng.NextInt(5), T: 956703932L + rng.NextInt(1 << 25))).ToArray();
            string text = string.Join("\n", rows.Select(r => ts ? $"{r.U}::{r.M}::{r.R}::{r.T}" : $"{r.U}::{r.M}::{r.R}")) + "\n";
            string p = TestData.WriteGz(TestData.TempDir(), "r.dat.gz", text);
            var back = MovieLensReader.ReadRatings(p);
            Assert.Equal(ts, back.HasTimestamps);
            Assert.Equal(rows.Select(r => r.U), back.Users);
            Assert.Equal(rows.Select(r => r.M), back.Movies);
            Assert.Equal(rows.Select(r => (byte)r.R), back.Ratings);
            Assert.Equal(rows.Select(r => ts ? r.T : 0), back.Timestamps);
        }
    }

    [Fact]
    public void SourceTagsAndRequestsGoThroughTheSamePath()
    {
        string d = TestData.TempDir();
        string p = TestData.Write(d, "log.csv", "user,ad,stage,click\nu1,a1,exposure,1\nu1,a2,ranking,0\nu2,a1,retrieval,0\nu2,a3,2,0\n");
        var schema = SchemaLoader.Load("dataset:\n  name: hap\n  label: click\n  source_tag: stage\n  features:\n    - {name: user, kind: sparse}\n    - {name: ad, kind: sparse}\n");
        var prep = TablePreparer.Prepare(schema, TableReaders.Read(schema, p), testFraction: 0.25, validationFraction: 0);
        var all = new[] { prep.Train, prep.Test }.SelectMany(ds => ds.Sources).Order().ToArray();
        Assert.Equal([(byte)SampleSource.Retrieval, (byte)SampleSource.Ranking, (byte)SampleSource.Exposure, (byte)SampleSource.Exposure], all);
        var request = new Dictionary<string, object?> { ["user"] = "u1", ["ad"] = "a1" };
        var o = new EncodedRow(prep.Encoder.Layout);
        prep.Encoder.EncodeRequest(request, new RawRow(prep.Encoder.Schema), o);
        Assert.Equal(prep.Encoder.IdTableOf("ad")!.Encode("a1"), o.Sparse[1]);
        string bad = TestData.Write(d, "bad.csv", "user,ad,stage,click\nu1,a1,shown,1\n");
        var e = Assert.Throws<FormatException>(() => TablePreparer.Prepare(schema, TableReaders.Read(schema, bad), testFraction: 0.5, validationFraction: 0));
        Assert.Contains("bad.csv: data row 1", e.Message);
        Assert.Contains("'shown'", e.Message);
    }
}
