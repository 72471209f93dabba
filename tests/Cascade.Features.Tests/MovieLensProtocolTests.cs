using Cascade.Features.Readers;

namespace Cascade.Features.Tests;

/// <summary>The protocol's semantics on small generated MovieLens files (always runs).</summary>
public class MovieLensProtocolTests
{
    private static string MakeData(out int ratingCount)
    {
        string d = TestData.TempDir();
        TestData.Write(d, "users.dat", string.Concat(Enumerable.Range(1, 30).Select(u => $"{u}::{(u % 2 == 0 ? "M" : "F")}::{18 + u % 3}::{u % 5}::1000{u}\n")));
        TestData.Write(d, "movies.dat", string.Concat(Enumerable.Range(1, 20).Select(m => $"{m}::Movie {m} (1999)::{(m % 2 == 0 ? "Drama|Comedy" : "Action")}\n")));
        var rng = new Cascade.Features.Encoders.FeatureRng(8);
        var lines = new List<string>();
        for (int u = 1; u <= 30; u++)
            for (int m = 1; m <= 20; m++)
                if (rng.NextInt(3) > 0)
                {
                    // User 30 only gives low ratings: no positive anywhere, so the inner join drops it in both splits.
                    int r = u == 30 ? 1 + rng.NextInt(2) : 1 + rng.NextInt(5);
                    lines.Add($"{u}::{m}::{r}::{1000 + lines.Count}");
                }
        ratingCount = lines.Count;
        TestData.WriteGz(d, "ratings.dat.gz", string.Join("\n", lines) + "\n");
        return d;
    }

    [Fact]
    public void IntTowerDropsNeutralJoinsOnPositivesOrdersByMovieAndLeaksWithinSplit()
    {
        string d = MakeData(out int n);
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(d, Seed: 5));
        Assert.Equal(n, p.Stats.Ratings);
        Assert.True(p.Stats.TrainDroppedNoPositive > 0 && p.Stats.TestDroppedNoPositive > 0);
        foreach (var ds in new[] { p.Train, p.Validation, p.Test })
            Assert.DoesNotContain(30, ds.UserIds);
        Assert.Equal(p.Stats.TrainSplit - p.Stats.TrainDroppedNoPositive, p.Train.Count + p.Validation.Count);
        // Rows are ordered by (movie, user): decode the movie ids of train followed by validation (tail).
        var vocab = p.Encoder.IdTableOf("movie_id")!.Vocabulary!;
        int slot = p.Encoder.Layout["movie_id"].Offset;
        var keys = new List<(int, int)>();
        foreach (var ds in new[] { p.Train, p.Validation })
            for (int i = 0; i < ds.Count; i++) keys.Add((int.Parse(vocab.Decode(ds.SparseRow(i)[slot])!), ds.UserIds[i]));
        Assert.Equal(keys.Order(), keys);
        // The user mean-label feature of a test row equals the mean test label of that user (min-max scaled on test).
        var scaler = p.Encoder.ScalerOf("user_mean_rating")!;
        int dense = p.Encoder.Layout["user_mean_rating"].Offset;
        var byUser = Enumerable.Range(0, p.Test.Count).GroupBy(i => p.Test.UserIds[i]);
        foreach (var g in byUser)
        {
            double mean = g.Average(i => p.Test.Labels[i]);
            Assert.Equal(scaler.Apply((float)mean), p.Test.Dense[g.First() * p.Test.DenseWidth + dense], 5);
        }
    }

    [Fact]
    public void CleanProtocolUsesTrainingStatisticsForTestRows()
    {
        string d = MakeData(out _);
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(d, MovieLensProtocolKind.Clean, Seed: 5, Validation: ValidationMode.Random));
        Assert.Contains(30, p.Test.UserIds.Concat(p.Train.UserIds)); // nobody dropped
        var scaler = p.Encoder.ScalerOf("user_mean_rating")!;
        int dense = p.Encoder.Layout["user_mean_rating"].Offset;
        var trainMean = Enumerable.Range(0, p.Train.Count).GroupBy(i => p.Train.UserIds[i]).ToDictionary(g => g.Key, g => g.Average(i => p.Train.Labels[i]));
        for (int i = 0; i < p.Test.Count; i++)
            if (trainMean.TryGetValue(p.Test.UserIds[i], out float m))
                Assert.Equal(scaler.Apply((float)m), p.Test.Dense[i * p.Test.DenseWidth + dense], 5);
    }

    [Fact]
    public void SameSeedSameSplitsAndCacheRoundTrip()
    {
        string d = MakeData(out _);
        var o = new MovieLensOptions(d, Seed: 9);
        var a = MovieLensProtocol.Prepare(o);
        var b = MovieLensProtocol.Prepare(o);
        Assert.Equal(a.Train.Sparse, b.Train.Sparse);
        Assert.Equal(a.Test.Labels, b.Test.Labels);
        Assert.NotEqual(a.Test.UserIds, MovieLensProtocol.Prepare(o with { Seed = 10 }).Test.UserIds);
        string cache = TestData.TempDir();
        Cascade.Features.Data.PreparedDataCache.Save(a, cache);
        var c = Cascade.Features.Data.PreparedDataCache.TryLoad(cache, MovieLensProtocol.Describe(o))!;
        Assert.Equal(a.Validation.Sparse, c.Validation.Sparse);
        Assert.Equal(a.Stats, c.Stats);
        Assert.Equal(a.Encoder.ToJson(), c.Encoder.ToJson());
        Assert.Null(Cascade.Features.Data.PreparedDataCache.TryLoad(cache, MovieLensProtocol.Describe(o with { Seed = 10 })));
    }

    [Fact]
    public void RatingsNamingUnknownUsersAreRejected()
    {
        string d = MakeData(out _);
        TestData.Write(d, "ratings.dat", "999::1::5\n");
        var e = Assert.Throws<InvalidDataException>(() => MovieLensProtocol.Prepare(new MovieLensOptions(d, RatingsFile: Path.Combine(d, "ratings.dat"))));
        Assert.Contains("user 999", e.Message);
    }

    [Fact]
    public void HistoryIsTheUsersEarlierPositivesNewestLast()
    {
        string d = MakeData(out _);
        var schema = Cascade.Features.Schema.SchemaLoader.LoadFile(Path.Combine(ReaderTests.RepoRoot(), "configs", "schemas", "movielens-1m-history.yaml"));
        var p = MovieLensProtocol.Prepare(new MovieLensOptions(d, MovieLensProtocolKind.Clean, Seed: 2, Split: SplitMode.Temporal, Schema: schema));
        var raw = MovieLensReader.ReadRatings(Path.Combine(d, "ratings.dat.gz"));
        var vocab = p.Encoder.IdTableOf("history")!.Vocabulary!;
        Assert.Same(vocab, p.Encoder.IdTableOf("movie_id")!.Vocabulary); // shared table
        int col = p.Encoder.Layout["history"].Offset;
        int checkedRows = 0;
        foreach (var ds in new[] { p.Train, p.Validation, p.Test })
            for (int i = 0; i < ds.Count; i++)
            {
                int u = ds.UserIds[i]; long t = ds.Timestamps[i];
                var expected = Enumerable.Range(0, raw.Count).Where(r => raw.Users[r] == u && raw.Ratings[r] > 3 && raw.Timestamps[r] < t)
                    .OrderBy(r => raw.Timestamps[r]).TakeLast(50).ToArray();
                var ids = ds.VarLen[col].Row(i).ToArray();
                Assert.Equal(expected.Select(r => vocab.Encode(raw.Movies[r].ToString())), ids);
                Assert.Equal(expected.Select(r => raw.Timestamps[r]), ds.VarLen[col].Times!.AsSpan(ds.VarLen[col].Offsets[i], ids.Length).ToArray());
                checkedRows++;
            }
        Assert.True(checkedRows > 100);
        var noTimes = TestData.Write(d, "ratings3.dat", "1::1::5\n");
        var e = Assert.Throws<ArgumentException>(() => MovieLensProtocol.Prepare(new MovieLensOptions(d, MovieLensProtocolKind.Clean, Schema: schema, RatingsFile: noTimes)));
        Assert.Contains("history", e.Message);
    }
}
