using Cascade.Features.Data;
using Cascade.Features.Readers;
using Xunit.Abstractions;

namespace Cascade.Features.Tests;

/// <summary>Golden counts on the real MovieLens-1M files in ../shared/data (skipped with a message when absent).</summary>
public class MovieLensGoldenTests(ITestOutputHelper output)
{
    private string? Data()
    {
        string? dir = TestData.MovieLens();
        if (dir is null) output.WriteLine("SKIPPED: ../shared/data/movielens-1m not found beside the repository; golden counts not checked.");
        return dir;
    }

    [Fact]
    public void IntTowerProtocolCountsOnRealData()
    {
        if (Data() is not { } dir) return;
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(dir));
        output.WriteLine($"{p.Stats}");
        output.WriteLine($"positive rates train {p.Train.PositiveRate():F6} validation {p.Validation.PositiveRate():F6} test {p.Test.PositiveRate():F6}");
        // Independent of the seed (stated in docs/data.md):
        Assert.Equal(1_000_209, p.Stats.Ratings);
        Assert.Equal(739_012, p.Stats.AfterDropNeutral);   // 261,197 ratings of 3 dropped
        Assert.Equal(575_281, p.Stats.Positives);          // 77.845% positive
        Assert.Equal(147_803, p.Stats.TestSplit);          // ceil(0.2 · 739,012), as sklearn
        Assert.Equal(591_209, p.Stats.TrainSplit);
        // Seed 1023 with our xoshiro256** permutation (not numpy's, so not IntTower's exact rows):
        Assert.Equal(89, p.Stats.TrainDroppedNoPositive);
        Assert.Equal(99, p.Stats.TestDroppedNoPositive);
        Assert.Equal(472_896, p.Train.Count);              // int(0.8 · 591,120)
        Assert.Equal(118_224, p.Validation.Count);
        Assert.Equal(147_704, p.Test.Count);
        Assert.InRange(p.Train.PositiveRate(), 0.78245, 0.78246);
        Assert.InRange(p.Validation.PositiveRate(), 0.76404, 0.76406); // tail = highest movie ids
        Assert.InRange(p.Test.PositiveRate(), 0.77811, 0.77812);
        // Tail validation holds the highest movie ids: its smallest movie id is at least the training part's largest.
        var movie = p.Encoder.IdTableOf("movie_id")!.Vocabulary!;
        int slot = p.Encoder.Layout["movie_id"].Offset;
        int MovieAt(ColumnarDataset d, int i) => int.Parse(movie.Decode(d.SparseRow(i)[slot])!);
        Assert.True(MovieAt(p.Validation, 0) >= MovieAt(p.Train, p.Train.Count - 1));
        // Min-max fitted on the test split: test dense values span exactly [0, 1].
        Assert.Equal(0f, p.Test.Dense.Min()); Assert.Equal(1f, p.Test.Dense.Max());
    }

    [Fact]
    public void CleanProtocolKeepsEveryRowAndFitsOnTrainingRowsOnly()
    {
        if (Data() is not { } dir) return;
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(dir, MovieLensProtocolKind.Clean, Validation: ValidationMode.Random));
        output.WriteLine($"{p.Stats}");
        output.WriteLine($"positive rates train {p.Train.PositiveRate():F6} validation {p.Validation.PositiveRate():F6} test {p.Test.PositiveRate():F6}");
        Assert.Equal(147_803, p.Test.Count);
        Assert.Equal(472_967, p.Train.Count);  // int(0.8 · 591,209)
        Assert.Equal(118_242, p.Validation.Count);
        Assert.Equal(0, p.Stats.TrainDroppedNoPositive);
        Assert.Equal(0f, p.Train.Dense.Min()); Assert.Equal(1f, p.Train.Dense.Max());
    }

    [Fact]
    public void TemporalSplitUsesTheTimestampedRatings()
    {
        if (Data() is not { } dir) return;
        string ts = Path.Combine(dir, "ratings_users0001-2999_with_timestamps.dat.gz");
        var noTs = Assert.Throws<ArgumentException>(() => MovieLensProtocol.Prepare(new MovieLensOptions(dir, MovieLensProtocolKind.Clean, Split: SplitMode.Temporal)));
        Assert.Contains("timestamps", noTs.Message);
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(dir, MovieLensProtocolKind.Clean, Split: SplitMode.Temporal, RatingsFile: ts));
        output.WriteLine($"{p.Stats}");
        Assert.Equal(487_650, p.Stats.Ratings);
        Assert.Equal(p.Stats.AfterDropNeutral, p.Train.Count + p.Validation.Count + p.Test.Count);
        Assert.Equal(360_434, p.Stats.AfterDropNeutral);
        Assert.Equal(73_269, p.Test.Count);       // Σ over users of ceil(0.2 · ratings of the user)
        Assert.Equal(58_628, p.Validation.Count); // the same on each user's remaining rows
        Assert.Equal(228_537, p.Train.Count);
        Assert.Equal(3000, p.Encoder.IdTableOf("user_id")!.Size); // every user 1–2999 keeps training rows
        // Per user, every test rating is no older than any of that user's training ratings.
        var lastTrain = new Dictionary<int, long>();
        foreach (var d in new[] { p.Train, p.Validation })
            for (int i = 0; i < d.Count; i++)
                lastTrain[d.UserIds[i]] = Math.Max(lastTrain.GetValueOrDefault(d.UserIds[i]), d.Timestamps[i]);
        for (int i = 0; i < p.Test.Count; i++) Assert.True(p.Test.Timestamps[i] >= lastTrain.GetValueOrDefault(p.Test.UserIds[i]));
    }
}
