using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

/// <summary>Which MovieLens preparation to run (see docs/data.md).</summary>
public enum MovieLensProtocolKind
{
    /// <summary>IntTower's scripts, quirks included: mean-label features computed inside each split (leaks test labels).</summary>
    IntTower,
    /// <summary>Leak-free: features and encoders fitted on the training rows only.</summary>
    Clean,
}

/// <summary>How the validation rows are taken from the training split.</summary>
public enum ValidationMode
{
    /// <summary>The last fraction of training rows (IntTower: the frame ends up ordered by movie id, then user id).</summary>
    Tail,
    /// <summary>A seeded random fraction.</summary>
    Random,
}

/// <summary>How test rows are chosen.</summary>
public enum SplitMode
{
    /// <summary>Seeded random fraction of all rows.</summary>
    Random,
    /// <summary>Per user, the newest fraction of that user's ratings (needs 4-field ratings; clean protocol only).</summary>
    Temporal,
}

/// <summary>MovieLens preparation settings.</summary>
/// <param name="DataDir">Folder with users.dat, movies.dat and a ratings file.</param>
/// <param name="Protocol">inttower or clean.</param>
/// <param name="Seed">Split seed (IntTower uses 1023 with numpy; our xoshiro split is seeded but not numpy's permutation).</param>
/// <param name="TestFraction">Test fraction (0.2).</param>
/// <param name="ValidationFraction">Validation fraction of the training split (0.2).</param>
/// <param name="Validation">tail or random.</param>
/// <param name="Split">random or temporal.</param>
/// <param name="RatingsFile">Ratings file; default: ratings.dat, ratings.dat.gz or ratings_no_timestamp.dat.gz, first found.</param>
/// <param name="Schema">Schema; default <see cref="MovieLensSchema.Default"/>.</param>
/// <param name="Read">Reader options (skip bad lines).</param>
public sealed record MovieLensOptions(string DataDir, MovieLensProtocolKind Protocol = MovieLensProtocolKind.IntTower, ulong Seed = 1023,
    double TestFraction = 0.2, double ValidationFraction = 0.2, ValidationMode Validation = ValidationMode.Tail,
    SplitMode Split = SplitMode.Random, string? RatingsFile = null, DatasetSchema? Schema = null, ReadOptions? Read = null);

/// <summary>Counts from a preparation run (stated in docs/data.md and asserted by the golden test).</summary>
public sealed record MovieLensStats
{
    /// <summary>Ratings read.</summary>
    public int Ratings { get; init; }
    /// <summary>Ratings left after dropping rating 3.</summary>
    public int AfterDropNeutral { get; init; }
    /// <summary>Positives (rating 4–5) after the drop.</summary>
    public int Positives { get; init; }
    /// <summary>Training-split rows before the inner-join drop.</summary>
    public int TrainSplit { get; init; }
    /// <summary>Test-split rows before the inner-join drop.</summary>
    public int TestSplit { get; init; }
    /// <summary>Training rows dropped because their user had no positive in the split (inttower only).</summary>
    public int TrainDroppedNoPositive { get; init; }
    /// <summary>Test rows dropped because their user had no positive in the split (inttower only).</summary>
    public int TestDroppedNoPositive { get; init; }
    /// <summary>Rows used for fitting (training minus validation).</summary>
    public int Train { get; init; }
    /// <summary>Validation rows.</summary>
    public int Validation { get; init; }
    /// <summary>Test rows.</summary>
    public int Test { get; init; }
    /// <summary>Bad lines skipped by the readers.</summary>
    public long BadLines { get; init; }
}

/// <summary>Prepared splits, the fitted encoder and the counts.</summary>
/// <param name="Train">Rows the model trains on. </param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Test rows.</param>
/// <param name="Encoder">Fitted encoder (goes into the model bundle).</param>
/// <param name="Stats">Counts.</param>
/// <param name="Description">One line naming protocol, seed, split and validation mode (for reports).</param>
public sealed record PreparedData(ColumnarDataset Train, ColumnarDataset Validation, ColumnarDataset Test, SchemaEncoder Encoder,
    MovieLensStats Stats, string Description);

/// <summary>Runs the `inttower` or `clean` MovieLens-1M preparation (docs/data.md explains every step).</summary>
public static partial class MovieLensProtocol
{
    /// <summary>
    /// One line naming everything that determines the output (protocol, seed, split, validation, ratings file and a
    /// hash of the schema); caches are reused only when it matches.
    /// </summary>
    public static string Describe(MovieLensOptions o)
    {
        var schema = o.Schema ?? MovieLensSchema.Default();
        string schemaJson = System.Text.Json.JsonSerializer.Serialize(schema with { File = null });
        string ratings = Path.GetFileName(o.RatingsFile ?? FindRatings(o.DataDir));
        string split = o.Protocol == MovieLensProtocolKind.IntTower ? "random" : o.Split.ToString().ToLowerInvariant();
        return $"protocol={o.Protocol.ToString().ToLowerInvariant()} seed={o.Seed} split={split} test={o.TestFraction} " +
               $"validation={o.Validation.ToString().ToLowerInvariant()} {o.ValidationFraction} ratings={ratings} schema={StableHash.Fnv1a64(schemaJson):x16}";
    }

    /// <summary>Reads the files and prepares train/validation/test datasets.</summary>
    public static PreparedData Prepare(MovieLensOptions o)
    {
        if (o.TestFraction is <= 0 or >= 1) throw new ArgumentException("test fraction must be in (0, 1).");
        if (o.ValidationFraction is < 0 or >= 1) throw new ArgumentException("validation fraction must be in [0, 1).");
        if (o.Split == SplitMode.Temporal && o.Protocol == MovieLensProtocolKind.IntTower)
            throw new ArgumentException("the temporal split exists only under the clean protocol (IntTower splits at random); add --protocol clean.");
        var schema = o.Schema ?? MovieLensSchema.Default();
        foreach (var f in schema.Features)
        {
            if (Array.IndexOf(MovieLensSchema.Columns, f.SourceColumn) < 0)
                throw new SchemaException([new SchemaError(schema.File ?? "<schema>", f.Line, 1, $"feature '{f.Name}'.source",
                    $"MovieLens has no column '{f.SourceColumn}'.", $"use one of: {string.Join(", ", MovieLensSchema.Columns)}.")]);
            if (f.SecondSource is not null && !(f.SecondSource == MovieLensSchema.HistoryTimes && f.SourceColumn == "history"))
                throw new SchemaException([new SchemaError(schema.File ?? "<schema>", f.Line, 1, $"feature '{f.Name}'.second_source",
                    $"MovieLens provides a second source only for 'history' ('{MovieLensSchema.HistoryTimes}').", "remove second_source or use source: history.")]);
        }
        var read = o.Read ?? new ReadOptions();
        string ratingsPath = o.RatingsFile ?? FindRatings(o.DataDir);
        var users = MovieLensReader.ReadUsers(Path.Combine(o.DataDir, "users.dat"), read);
        var movies = MovieLensReader.ReadMovies(Path.Combine(o.DataDir, "movies.dat"), read);
        var ratings = MovieLensReader.ReadRatings(ratingsPath, read, out var report);
        var table = new Table(users, movies, ratings, ratingsPath);
        table.Check();
        if (schema.Features.Any(f => f.SourceColumn == "history"))
        {
            if (!ratings.HasTimestamps)
                throw new ArgumentException($"the 'history' column needs ratings with timestamps; '{ratingsPath}' has 3 fields. " +
                    "Pass --ratings ratings_users0001-2999_with_timestamps.dat.gz.");
            table.History = new UserHistory(ratings, users.Length);
        }
        var result = o.Protocol == MovieLensProtocolKind.IntTower ? IntTower(table, schema, o) : Clean(table, schema, o);
        return result with { Stats = result.Stats with { BadLines = report.BadLines } };
    }

    private static string FindRatings(string dir)
    {
        foreach (var name in new[] { "ratings.dat", "ratings.dat.gz", "ratings_no_timestamp.dat.gz" })
        {
            string p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"no ratings file in '{dir}' (looked for ratings.dat, ratings.dat.gz, ratings_no_timestamp.dat.gz); pass --ratings FILE.");
    }

    /// <summary>Splits filtered rows into (train, test) index lists.</summary>
    private static (int[] Train, int[] Test) SplitRows(Table t, int[] rows, MovieLensOptions o)
    {
        if (o.Split == SplitMode.Temporal)
        {
            if (!t.Ratings.HasTimestamps)
                throw new ArgumentException($"the temporal split needs ratings with timestamps (4 fields); '{t.RatingsPath}' has 3. " +
                    "ratings_users0001-2999_with_timestamps.dat.gz has them for users 1–2999.");
            return NewestPerUser(t, rows, o.TestFraction);
        }
        var perm = (int[])rows.Clone();
        new FeatureRng(o.Seed).Shuffle(perm.AsSpan());
        // sklearn's train_test_split: n_test = ceil(test_size · n); test = first n_test of the permutation.
        int n = (int)Math.Ceiling(o.TestFraction * perm.Length);
        return (perm[n..], perm[..n]);
    }

    /// <summary>Per user, the newest ceil(fraction · count) rows (by timestamp, ties by file order) go to the second part.</summary>
    private static (int[] Older, int[] Newest) NewestPerUser(Table t, int[] rows, double fraction)
    {
        var older = new List<int>(); var newest = new List<int>();
        foreach (var g in rows.GroupBy(r => t.Ratings.Users[r]).OrderBy(g => g.Key))
        {
            var sorted = g.OrderBy(r => t.Ratings.Timestamps[r]).ThenBy(r => r).ToArray();
            int n = (int)Math.Ceiling(fraction * sorted.Length);
            older.AddRange(sorted[..^n]); newest.AddRange(sorted[^n..]);
        }
        return ([.. older], [.. newest]);
    }

    /// <summary>Splits training rows into (fit, validation); tail keeps the given order.</summary>
    private static (int[] Fit, int[] Validation) SplitValidation(int[] train, MovieLensOptions o)
    {
        // Keras validation_split: split_at = int(n · (1 − fraction)); validation = rows[split_at:].
        int splitAt = (int)(train.Length * (1 - o.ValidationFraction));
        if (o.Validation == ValidationMode.Tail) return (train[..splitAt], train[splitAt..]);
        // Random: choose positions, then keep the frame order inside each part.
        var pos = new int[train.Length];
        for (int i = 0; i < pos.Length; i++) pos[i] = i;
        new FeatureRng(o.Seed ^ 0x5DEECE66DUL).Shuffle(pos.AsSpan());
        var fitPos = pos[..splitAt]; var valPos = pos[splitAt..];
        Array.Sort(fitPos); Array.Sort(valPos);
        return (Array.ConvertAll(fitPos, p => train[p]), Array.ConvertAll(valPos, p => train[p]));
    }
}
