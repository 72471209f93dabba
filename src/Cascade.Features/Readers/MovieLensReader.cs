namespace Cascade.Features.Readers;

/// <summary>One MovieLens user.</summary>
/// <param name="Gender">"M" or "F".</param>
/// <param name="Age">Age bucket code (1, 18, 25, 35, 45, 50, 56).</param>
/// <param name="Occupation">Occupation code 0..20.</param>
/// <param name="Zip">Zip code text.</param>
public sealed record MovieLensUser(string Gender, int Age, int Occupation, string Zip);

/// <summary>One MovieLens movie.</summary>
/// <param name="Title">Title with year.</param>
/// <param name="Genres">Genres joined by '|'.</param>
public sealed record MovieLensMovie(string Title, string Genres);

/// <summary>Ratings in columns, file order. Timestamps are 0 when the file has 3 fields.</summary>
/// <param name="Users">User ids. // (R)</param>
/// <param name="Movies">Movie ids. // (R)</param>
/// <param name="Ratings">Ratings 1..5. // (R)</param>
/// <param name="Timestamps">Unix seconds or 0. // (R)</param>
/// <param name="HasTimestamps">True when every line had 4 fields.</param>
public sealed record MovieLensRatings(int[] Users, int[] Movies, byte[] Ratings, long[] Timestamps, bool HasTimestamps)
{
    /// <summary>Number of ratings R.</summary>
    public int Count => Users.Length;
}

/// <summary>
/// Reads the MovieLens-1M files (users.dat, movies.dat in ISO-8859-1, ratings in the 3- or 4-field form, plain or
/// gzip). Users and movies are indexed by their ids (arrays sized max id + 1, null for gaps).
/// </summary>
public static class MovieLensReader
{
    /// <summary>Reads users.dat.</summary>
    public static MovieLensUser?[] ReadUsers(string path, ReadOptions? options = null)
    {
        var users = new List<MovieLensUser?>();
        DelimitedReader.Read(path, Formats.MovieLensUsers, options ?? new(), r =>
        {
            int id = CheckedId(path, r, 0, "UserID");
            while (users.Count <= id) users.Add(null);
            users[id] = new MovieLensUser(r.String(1), (int)r.Int(2), (int)r.Int(3), r.String(4));
        });
        return [.. users];
    }

    /// <summary>Reads movies.dat (ISO-8859-1).</summary>
    public static MovieLensMovie?[] ReadMovies(string path, ReadOptions? options = null)
    {
        var movies = new List<MovieLensMovie?>();
        DelimitedReader.Read(path, Formats.MovieLensMovies, options ?? new(), r =>
        {
            int id = CheckedId(path, r, 0, "MovieID");
            while (movies.Count <= id) movies.Add(null);
            movies[id] = new MovieLensMovie(r.String(1), r.String(2));
        });
        return [.. movies];
    }

    /// <summary>Reads a ratings file; every line must have the same field count (3 or 4).</summary>
    public static MovieLensRatings ReadRatings(string path, ReadOptions? options = null) => ReadRatings(path, options, out _);

    /// <summary>Reads a ratings file and returns the reader's report (bad lines skipped, when allowed).</summary>
    public static MovieLensRatings ReadRatings(string path, ReadOptions? options, out ReadReport report)
    {
        var u = new List<int>(1 << 20); var m = new List<int>(1 << 20); var y = new List<byte>(1 << 20); var t = new List<long>(1 << 20);
        int fields = 0;
        report = DelimitedReader.Read(path, Formats.MovieLensRatings, options ?? new(), r =>
        {
            if (fields == 0) fields = r.FieldCount;
            else if (r.FieldCount != fields)
                throw new DataFormatException(path, r.LineNumber, 0, null, $"{fields} fields like the first line", $"{r.FieldCount} fields");
            long rating = r.Int(2);
            if (rating is < 1 or > 5) throw new DataFormatException(path, r.LineNumber, 3, "Rating", "a rating 1..5", rating.ToString());
            int user = CheckedId(path, r, 0, "UserID"), movie = CheckedId(path, r, 1, "MovieID");
            u.Add(user); m.Add(movie); y.Add((byte)rating);
            t.Add(fields == 4 ? r.Int(3) : 0);
        });
        return new MovieLensRatings([.. u], [.. m], [.. y], [.. t], fields == 4);
    }

    private static int CheckedId(string path, DelimitedRecord r, int col, string name)
    {
        long id = r.Int(col);
        if (id is < 1 or > 10_000_000) throw new DataFormatException(path, r.LineNumber, col + 1, name, "an id in 1..10,000,000", id.ToString());
        return (int)id;
    }
}
