using System.Xml.Linq;
using Cascade.Training.Config;
using Cascade.Training.Reports;
using Cascade.Training.Reproduction;

namespace Cascade.Training.Tests;

/// <summary>Report files, the SVG writer and the reproduction summaries.</summary>
public class ReportTests
{
    private static TrainingResult Result() => new(
    [
        new EpochLog(0, 0.52, new EvaluationResult(100, 0.70, 0.60, 0.65, 0.7, 1.0), 1.5, 1000),
        new EpochLog(1, 0.45, new EvaluationResult(100, 0.75, 0.55, 0.70, 0.72, 1.0), 1.4, 1100),
        new EpochLog(2, 0.41, new EvaluationResult(100, 0.74, 0.56, double.NaN, 0.71, 1.0), 1.4, 1090),
    ], 1, 0.75, false, null, 4.3, 1234);

    [Fact]
    public void ReportFilesAreWrittenAndParse()
    {
        string dir = TrainerTests.TempDir();
        try
        {
            var config = ExperimentConfig.Default with { Name = "r<&>" };
            var test = new EvaluationResult(50, 0.8, 0.5, 0.7, 0.75, 1.02);
            var files = TrainingReport.Write(dir, config, "tiny data", Result(), test);
            Assert.Equal(4, files.Count);
            var doc = TrainingReport.Read(Path.Combine(dir, "report.json"));
            Assert.Equal("r<&>", doc.Experiment);
            Assert.Equal(3, doc.Result.Epochs.Count);
            Assert.True(double.IsNaN(doc.Result.Epochs[2].Validation.Gauc));
            Assert.Equal(0.8, doc.Test!.Auc);
            Assert.Equal(config.Training, doc.Config.Training);
            foreach (var svg in new[] { "curves-auc.svg", "curves-loss.svg" })
            {
                var x = XDocument.Parse(File.ReadAllText(Path.Combine(dir, svg)));
                Assert.Equal("svg", x.Root!.Name.LocalName);
                Assert.Equal(2, x.Descendants().Count(e => e.Name.LocalName == "polyline"));
            }
            string md = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| 2 (best) |", md);
            Assert.Contains("| test | 50 | 0.8000 |", md);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SvgPlotSkipsNaNAndEscapesText()
    {
        string svg = SvgLinePlot.Render("a < b", "x", "y", [new PlotSeries("s&t", [1, 2, 3], [0.5, double.NaN, 0.7])]);
        var x = XDocument.Parse(svg);
        var line = x.Descendants().Single(e => e.Name.LocalName == "polyline");
        Assert.Equal(2, line.Attribute("points")!.Value.Split(' ').Length);
        Assert.Contains(x.Descendants(), e => e.Value == "a < b");
        Assert.Contains(x.Descendants(), e => e.Value == "s&t");
    }

    [Fact]
    public void SummaryAveragesSeedsAndComputesRelaImpr()
    {
        var variants = new[]
        {
            new ReproductionVariant("DSSM", "dssm", new Dictionary<string, string>(), 0.8697),
            new ReproductionVariant("HIT", "hit", new Dictionary<string, string>(), 0.9048),
        };
        var records = new[]
        {
            new RunRecord("DSSM", "dssm", 1023, 10, 0.80, 0.5, 0.8, 3, 6, 10, 100),
            new RunRecord("DSSM", "dssm", 1024, 10, 0.82, 0.5, 0.8, 5, 8, 12, 100),
            new RunRecord("HIT", "hit", 1023, 20, 0.90, 0.4, 0.9, 4, 7, 20, 100),
        };
        var s = ReproductionRunner.Summarise(variants, records, "DSSM");
        Assert.Equal(0.81, s[0].AucMean, 12);
        Assert.Equal(Math.Sqrt(2 * 0.01 * 0.01 / 1), s[0].AucStd, 12); // sample std of {0.80, 0.82}
        Assert.Equal(4, s[0].EpochsMean);
        Assert.Equal(0.0, s[0].RelaImpr!.Value, 12);
        Assert.Equal((0.40 / 0.31 - 1) * 100, s[1].RelaImpr!.Value, 9);
        string table = ReproductionReport.Table(s, "DSSM");
        Assert.Contains("| HIT | hit | 20 | 0.9000 ± 0.0000 | 1 |", table);
        Assert.Contains("0.9048 | -0.0048 |", table);
    }

    [Fact]
    public void DocSectionsAreReplacedBetweenMarkers()
    {
        string dir = TrainerTests.TempDir();
        try
        {
            string path = Path.Combine(dir, "r.md");
            File.WriteAllText(path, "# Title\n\nintro\n");
            ReproductionReport.WriteSection(path, "t2", "first");
            ReproductionReport.WriteSection(path, "t3", "other");
            ReproductionReport.WriteSection(path, "t2", "second");
            string text = File.ReadAllText(path);
            Assert.DoesNotContain("first", text);
            Assert.Contains("<!-- t2:start -->\nsecond\n<!-- t2:end -->", text);
            Assert.Contains("other", text);
            Assert.StartsWith("# Title\n\nintro", text);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TableSelectionRejectsUnknownModels()
    {
        Assert.Equal(["hit", "dssm"], HitTables.Select(HitTables.Table2, ["HIT", "dssm"]).Select(v => v.Model).Reverse());
        var e = Assert.Throws<ArgumentException>(() => HitTables.Select(HitTables.Table2, ["hits"]));
        Assert.Contains("hits", e.Message);
        Assert.Equal(11, HitTables.Table2.Count);
        Assert.Equal(6, HitTables.JSweep(Enumerable.Range(1, 6)).Count);
    }
}
