using Cascade.Features.Readers;
using Xunit.Abstractions;

namespace Cascade.Features.Tests;

public class MovieLensGoldenTests(ITestOutputHelper output)
{
    [Fact]
    public void IntTowerProtocolCountsOnRealData()
    {
        string? dir = TestData.MovieLens();
        if (dir is null) { output.WriteLine("SKIPPED: ../shared/data/movielens-1m not found beside the repository; golden counts not checked."); return; }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(dir));
        output.WriteLine($"{sw.ElapsedMilliseconds} ms {p.Stats}");
        output.WriteLine($"pos rates train {p.Train.PositiveRate():F6} val {p.Validation.PositiveRate():F6} test {p.Test.PositiveRate():F6}");
        Assert.Equal(1_000_209, p.Stats.Ratings);
        Assert.Equal(739_012, p.Stats.AfterDropNeutral);
        Assert.Equal(575_281, p.Stats.Positives);
        Assert.Equal(147_803, p.Stats.TestSplit);
        Assert.Equal(591_209, p.Stats.TrainSplit);
    }
}
