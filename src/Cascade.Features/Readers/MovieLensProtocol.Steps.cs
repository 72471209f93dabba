using System.Globalization;
using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

public static partial class MovieLensProtocol
{
    private sealed class Table(MovieLensUser?[] users, MovieLensMovie?[] movies, MovieLensRatings ratings, string ratingsPath)
    {
        public readonly MovieLensUser?[] Users = users;
        public readonly MovieLensMovie?[] Movies = movies;
        public readonly MovieLensRatings Ratings = ratings;
        public readonly string RatingsPath = ratingsPath;
        public UserHistory? History;
        // Id strings are made once per user/movie so that filling a row allocates nothing.
        public readonly string[] UserText = Enumerable.Range(0, users.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        public readonly string[] MovieText = Enumerable.Range(0, movies.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        public readonly string[] SmallInt = Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

        public void Check()
        {
            for (int r = 0; r < Ratings.Count; r++)
            {
                int u = Ratings.Users[r], m = Ratings.Movies[r];
                if (u >= Users.Length || Users[u] is null)
                    throw new InvalidDataException($"{RatingsPath}: rating {r + 1} names user {u}, which users.dat does not list.");
                if (m >= Movies.Length || Movies[m] is null)
                    throw new InvalidDataException($"{RatingsPath}: rating {r + 1} names movie {m}, which movies.dat does not list.");
            }
        }

        public float Label(int r) => Ratings.Ratings[r] > 3 ? 1f : 0f;
    }

    /// <summary>Per-row mean-label features (user mean, item mean) computed over some rows.</summary>
    private sealed class MeanLabels(int users, int movies)
    {
        public readonly double[] UserSum = new double[users], ItemSum = new double[movies];
        public readonly int[] UserCount = new int[users], ItemCount = new int[movies];
        public double Global;

        public static MeanLabels Over(Table t, int[] rows)
        {
            var m = new MeanLabels(t.Users.Length, t.Movies.Length);
            double sum = 0;
            foreach (int r in rows)
            {
                float y = t.Label(r);
                int u = t.Ratings.Users[r], i = t.Ratings.Movies[r];
                m.UserSum[u] += y; m.UserCount[u]++; m.ItemSum[i] += y; m.ItemCount[i]++; sum += y;
            }
            m.Global = rows.Length > 0 ? sum / rows.Length : 0;
            return m;
        }

        public double User(int u) => UserCount[u] > 0 ? UserSum[u] / UserCount[u] : Global;
        public double Item(int i) => ItemCount[i] > 0 ? ItemSum[i] / ItemCount[i] : Global;
    }

    private static PreparedData IntTower(Table t, DatasetSchema schema, MovieLensOptions o)
    {
        int[] kept = Filter(t);
        var (trainSplit, testSplit) = SplitRows(t, kept, o);
        // IntTower get_user_feature: inner join with the users that have a positive in this split, then
        // get_item_feature merges on movie_id; the frame ends up ordered by (movie_id, user_id).
        var (train, trainMeans) = InnerJoinAndOrder(t, trainSplit);
        var (test, testMeans) = InnerJoinAndOrder(t, testSplit);
        var (fit, val) = SplitValidation(train, o);
        var filler = new RowFiller(t, schema);
        var fitter = new SchemaEncoderFitter(schema);
        // LabelEncoder is fitted on all rows (after dropping rating 3); MinMaxScaler.fit(train) then fit(test):
        // the second fit wins, so the scaler is fitted on the test split and applied to both.
        foreach (int r in kept) fitter.Observe(filler.Fill(r, trainMeans), FitScope.Ids);
        foreach (int r in test) fitter.Observe(filler.Fill(r, testMeans), FitScope.Numeric);
        var encoder = fitter.Build();
        var stats = new MovieLensStats
        {
            Ratings = t.Ratings.Count, AfterDropNeutral = kept.Length, Positives = kept.Count(r => t.Label(r) > 0),
            TrainSplit = trainSplit.Length, TestSplit = testSplit.Length,
            TrainDroppedNoPositive = trainSplit.Length - train.Length, TestDroppedNoPositive = testSplit.Length - test.Length,
            Train = fit.Length, Validation = val.Length, Test = test.Length,
        };
        var sets = BuildAll(encoder, t, schema, [(fit, trainMeans), (val, trainMeans), (test, testMeans)]);
        return new PreparedData(sets[0], sets[1], sets[2], encoder, stats, Describe(o));
    }

    private static PreparedData Clean(Table t, DatasetSchema schema, MovieLensOptions o)
    {
        int[] kept = Filter(t);
        var (trainSplit, testSplit) = SplitRows(t, kept, o);
        // Under the temporal split, tail validation is temporal per user too (each user's newest training rows), so
        // that every user keeps training rows; a global time cut would leave bursty users only in validation.
        var (fit, val) = o.Split == SplitMode.Temporal && o.Validation == ValidationMode.Tail
            ? NewestPerUser(t, trainSplit, o.ValidationFraction)
            : SplitValidation(trainSplit, o);
        // Every statistic (mean labels, vocabularies, scaler) comes from the rows the model trains on.
        var means = MeanLabels.Over(t, fit);
        var filler = new RowFiller(t, schema);
        var fitter = new SchemaEncoderFitter(schema);
        foreach (int r in fit) fitter.Observe(filler.Fill(r, means));
        var encoder = fitter.Build();
        var stats = new MovieLensStats
        {
            Ratings = t.Ratings.Count, AfterDropNeutral = kept.Length, Positives = kept.Count(r => t.Label(r) > 0),
            TrainSplit = trainSplit.Length, TestSplit = testSplit.Length, Train = fit.Length, Validation = val.Length, Test = testSplit.Length,
        };
        var sets = BuildAll(encoder, t, schema, [(fit, means), (val, means), (testSplit, means)]);
        return new PreparedData(sets[0], sets[1], sets[2], encoder, stats, Describe(o));
    }

    private static int[] Filter(Table t)
    {
        var kept = new List<int>(t.Ratings.Count);
        for (int r = 0; r < t.Ratings.Count; r++) if (t.Ratings.Ratings[r] != 3) kept.Add(r);
        return [.. kept];
    }

    private static (int[] Rows, MeanLabels Means) InnerJoinAndOrder(Table t, int[] split)
    {
        var hasPositive = new bool[t.Users.Length];
        foreach (int r in split) if (t.Label(r) > 0) hasPositive[t.Ratings.Users[r]] = true;
        var rows = split.Where(r => hasPositive[t.Ratings.Users[r]]).ToArray();
        // (movie, user) is unique in MovieLens-1M, so this key fixes the order completely; a primitive key sort
        // is about 5× faster than a comparison delegate on 590k rows.
        var keys = new long[rows.Length];
        for (int k = 0; k < rows.Length; k++) keys[k] = ((long)t.Ratings.Movies[rows[k]] << 32) | (uint)t.Ratings.Users[rows[k]];
        Array.Sort(keys, rows);
        return (rows, MeanLabels.Over(t, rows));
    }

    /// <summary>Encodes the splits in parallel (the encoder is read-only; each split has its own row and builder).</summary>
    private static ColumnarDataset[] BuildAll(SchemaEncoder encoder, Table t, DatasetSchema schema, (int[] Rows, MeanLabels Means)[] parts)
    {
        var result = new ColumnarDataset[parts.Length];
        Parallel.For(0, parts.Length, k =>
        {
            var filler = new RowFiller(t, schema);
            var b = new ColumnarDatasetBuilder(encoder);
            foreach (int r in parts[k].Rows) b.Add(filler.Fill(r, parts[k].Means));
            result[k] = b.Build();
        });
        return result;
    }

    /// <summary>Fills a reused <see cref="RawRow"/> from rating r: one switch per schema feature, no allocation.</summary>
    private sealed class RowFiller
    {
        private readonly Table _t;
        private readonly RawRow _row;
        private readonly int[] _column; // per feature: index into MovieLensSchema.Columns
        private readonly int[] _maxLength;
        private readonly System.Text.StringBuilder _ids = new(), _times = new();

        public RowFiller(Table t, DatasetSchema schema)
        {
            _t = t; _row = new RawRow(schema);
            _column = schema.Features.Select(f => Array.IndexOf(MovieLensSchema.Columns, f.SourceColumn)).ToArray();
            _maxLength = schema.Features.Select(f => f.MaxLength).ToArray();
        }

        public RawRow Fill(int r, MeanLabels means)
        {
            var row = _row;
            int u = _t.Ratings.Users[r], m = _t.Ratings.Movies[r];
            var user = _t.Users[u]!; var movie = _t.Movies[m]!;
            for (int i = 0; i < _column.Length; i++)
            {
                switch (_column[i])
                {
                    case 0: row.SetText(i, _t.UserText[u]); break;
                    case 1: row.SetText(i, _t.MovieText[m]); break;
                    case 2: row.SetText(i, user.Gender); break;
                    case 3: row.SetText(i, Small(user.Age)); break;
                    case 4: row.SetText(i, Small(user.Occupation)); break;
                    case 5: row.SetText(i, user.Zip); break;
                    case 6: row.SetText(i, movie.Title); break;
                    case 7: row.SetText(i, movie.Genres); break;
                    case 8: row.SetNumber(i, means.User(u)); break;
                    case 9: row.SetNumber(i, means.Item(m)); break;
                    case 10: row.SetNumber(i, _t.Ratings.Timestamps[r]); break;
                    case 11:
                        // Two strings per row: history text is transient and collected young (gen 0).
                        _t.History!.Before(u, _t.Ratings.Timestamps[r], _maxLength[i], _ids, _times);
                        row.SetText(i, _ids.ToString());
                        row.SetTimestamps(i, _times.ToString());
                        break;
                }
            }
            row.Label = _t.Label(r);
            row.UserId = u;
            row.Timestamp = _t.Ratings.Timestamps[r];
            return row;
        }

        private string Small(int v) => (uint)v < 100 ? _t.SmallInt[v] : v.ToString(CultureInfo.InvariantCulture);
    }
}
