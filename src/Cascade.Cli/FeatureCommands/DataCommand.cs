using System.CommandLine;
using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Features.Readers;
using Cascade.Features.Schema;

namespace Cascade.Cli.FeatureCommands;

/// <summary>
/// `cascade data prepare` (MovieLens-1M under the inttower or clean protocol, cached) and `cascade data bench`
/// (raw → columnar and cache → columnar timings, one JSON object with --json).
/// </summary>
internal static partial class DataCommand
{
    public static Command Create()
    {
        return new Command("data", "Prepare datasets and measure the feature pipeline.") { PrepareCommand(), BenchCommand(), TableCommand() };
    }

    private static Command PrepareCommand()
    {
        var data = new Option<string>("--data") { Description = "MovieLens-1M folder (users.dat, movies.dat, ratings).", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "inttower (IntTower scripts, leaky) or clean.", DefaultValueFactory = _ => "inttower" };
        var seed = new Option<ulong>("--seed") { Description = "Split seed.", DefaultValueFactory = _ => 1023 };
        var validation = new Option<string>("--validation") { Description = "tail (last 20% of training rows, as the scripts) or random.", DefaultValueFactory = _ => "tail" };
        var split = new Option<string>("--split") { Description = "random or temporal (clean only; needs timestamped ratings).", DefaultValueFactory = _ => "random" };
        var ratings = new Option<string?>("--ratings") { Description = "Ratings file (default: first of ratings.dat, ratings.dat.gz, ratings_no_timestamp.dat.gz)." };
        var schema = new Option<string?>("--schema") { Description = "Schema YAML (default: the built-in movielens-1m schema)." };
        var cache = new Option<string?>("--cache") { Description = "Cache folder: reused when it matches, written otherwise." };
        var skip = new Option<bool>("--skip-bad-lines") { Description = "Count and skip malformed lines instead of stopping." };
        var cmd = new Command("prepare", "Prepare MovieLens-1M train/validation/test under a protocol and print the counts.")
            { data, protocol, seed, validation, split, ratings, schema, cache, skip };
        cmd.SetAction(parse =>
        {
            var o = Options(parse.GetValue(data)!, parse.GetValue(protocol)!, parse.GetValue(seed), parse.GetValue(validation)!,
                parse.GetValue(split)!, parse.GetValue(ratings), parse.GetValue(schema), parse.GetValue(skip));
            if (o is null) return 2;
            return Prepare(o, parse.GetValue(cache));
        });
        return cmd;
    }

    private static MovieLensOptions? Options(string data, string protocol, ulong seed, string validation, string split, string? ratings, string? schemaPath, bool skip)
    {
        if (!Enum.TryParse<MovieLensProtocolKind>(protocol.Replace("_", ""), true, out var p)) return Bad("--protocol", protocol, "inttower, clean");
        if (!Enum.TryParse<ValidationMode>(validation, true, out var v)) return Bad("--validation", validation, "tail, random");
        if (!Enum.TryParse<SplitMode>(split, true, out var s)) return Bad("--split", split, "random, temporal");
        DatasetSchema? schema = null;
        if (schemaPath is not null)
        {
            try { schema = SchemaLoader.LoadFile(schemaPath); }
            catch (SchemaException e) { Console.Error.WriteLine(e.Message); return null; }
        }
        return new MovieLensOptions(data, p, seed, Validation: v, Split: s, RatingsFile: ratings, Schema: schema, Read: new ReadOptions(skip));
    }

    private static MovieLensOptions? Bad(string option, string value, string allowed)
    {
        Console.Error.WriteLine($"{option}: '{value}' is not valid; use one of: {allowed}.");
        return null;
    }

    private static int Prepare(MovieLensOptions o, string? cacheDir)
    {
        var sw = Stopwatch.StartNew();
        PreparedData? p = null;
        string how = "raw files";
        try
        {
            if (cacheDir is not null)
            {
                string desc = MovieLensProtocol.Describe(o);
                try { p = PreparedDataCache.TryLoad(cacheDir, desc); }
                catch (InvalidDataException e) { Console.Error.WriteLine($"warning: {e.Message} Rebuilding the cache."); }
                if (p is not null) how = "cache " + cacheDir;
            }
            p ??= MovieLensProtocol.Prepare(o);
            if (cacheDir is not null && how == "raw files") PreparedDataCache.Save(p, cacheDir);
        }
        catch (Exception e) when (e is DataFormatException or SchemaException or FileNotFoundException or InvalidDataException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        var s = p.Stats;
        Console.WriteLine($"{p.Description} (from {how}, {sw.ElapsedMilliseconds} ms)");
        Console.WriteLine($"  ratings read            {s.Ratings,10:N0}");
        Console.WriteLine($"  after dropping rating 3 {s.AfterDropNeutral,10:N0}  positives {s.Positives:N0} ({(double)s.Positives / s.AfterDropNeutral:P2})");
        Console.WriteLine($"  train split / test split{s.TrainSplit,10:N0} / {s.TestSplit:N0}");
        if (o.Protocol == MovieLensProtocolKind.IntTower)
            Console.WriteLine($"  dropped (user without a positive in its split): train {s.TrainDroppedNoPositive:N0}, test {s.TestDroppedNoPositive:N0}");
        Console.WriteLine($"  train      {p.Train.Count,10:N0}  positive rate {p.Train.PositiveRate():F4}");
        Console.WriteLine($"  validation {p.Validation.Count,10:N0}  positive rate {p.Validation.PositiveRate():F4}");
        Console.WriteLine($"  test       {p.Test.Count,10:N0}  positive rate {p.Test.PositiveRate():F4}");
        if (s.BadLines > 0) Console.WriteLine($"  bad lines skipped {s.BadLines:N0}");
        foreach (var slot in p.Encoder.Layout.Slots)
            Console.WriteLine($"  feature {slot.Feature.Name,-18} {slot.Block,-7} offset {slot.Offset,2} width {slot.Width,2} table {slot.TableSize,6}");
        return 0;
    }
}
