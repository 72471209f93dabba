namespace Cascade.Features.Simulation;

/// <summary>
/// One user's static profile and latent interests, derived deterministically from (seed, user id) so that ten
/// million users stream with no per-user storage. A reusable mutable object: <see cref="UserModel.Derive"/> fills it.
/// </summary>
public sealed class UserProfile
{
    /// <summary>Most interest facets a user can have.</summary>
    public const int MaxFacets = 4;
    /// <summary>Preferred tags per facet.</summary>
    public const int TagsPerFacet = 2;

    /// <summary>User id.</summary>
    public int Id;
    /// <summary>Age bucket 0..6 (&lt;18, 18–24, 25–29, 30–34, 35–44, 45–54, 55+).</summary>
    public int Age;
    /// <summary>Gender 0..1.</summary>
    public int Gender;
    /// <summary>Occupation 0..15.</summary>
    public int Occupation;
    /// <summary>City tier 0..4 (tier 1 city .. rural).</summary>
    public int CityTier;
    /// <summary>Main device 0..3 (android, ios, pc, tablet).</summary>
    public int MainDevice;
    /// <summary>Probability of one session on a given day.</summary>
    public double Activity;
    /// <summary>Number of interest facets (2..4).</summary>
    public int FacetCount;
    /// <summary>Facet categories, distinct. (FacetCount)</summary>
    public readonly int[] FacetCategory = new int[MaxFacets];
    /// <summary>Facet weights, summing to 1. (FacetCount)</summary>
    public readonly double[] FacetWeight = new double[MaxFacets];
    /// <summary>Preferred tag ids per facet, from the facet category's tag range. (FacetCount, TagsPerFacet)</summary>
    public readonly int[] FacetTags = new int[MaxFacets * TagsPerFacet];
    /// <summary>Phase (0..2) of the user's three-day transient-interest cycle.</summary>
    public int TransientPhase;
}

/// <summary>
/// Derives users and their organic behaviour stream. Facet categories follow an (age, gender) group preference with
/// probability 0.6 (so static features predict interests, as HIT's generators assume) and are uniform otherwise.
/// </summary>
public sealed class UserModel
{
    /// <summary>Days of organic history looked back from a request (older behaviours are not in the sequence).</summary>
    public const int LookbackDays = 7;
    internal const ulong StreamUser = 1, StreamActivity = 2, StreamOrganic = 3, StreamTransient = 4;

    private readonly SimulatorOptions _o;
    private readonly AdMarket _market;
    private readonly double[] _groupCdf; // (14, C) cumulative category preference per (age, gender) group

    /// <summary>Builds the group preference table from the seed.</summary>
    public UserModel(SimulatorOptions options, AdMarket market)
    {
        _o = options;
        _market = market;
        int c = options.Categories;
        _groupCdf = new double[14 * c];
        var rng = SimRandom.For(options.Seed, 77);
        for (int g = 0; g < 14; g++)
        {
            double sum = 0;
            for (int k = 0; k < c; k++) { sum += Math.Exp(1.2 * rng.NextGaussian()); _groupCdf[g * c + k] = sum; }
            for (int k = 0; k < c; k++) _groupCdf[g * c + k] /= sum;
        }
    }

    /// <summary>Daily session probability of a user, from one hash (no full derivation needed).</summary>
    public double ActivityOf(int userId)
        => _o.Activity * (0.3 + 0.7 * SimRandom.UnitFromHash(SimRandom.Hash(_o.Seed ^ StreamActivity, (ulong)userId)));

    /// <summary>Fills <paramref name="p"/> with user <paramref name="userId"/>.</summary>
    public void Derive(int userId, UserProfile p)
    {
        var rng = SimRandom.For(_o.Seed, StreamUser, (ulong)userId);
        int c = _o.Categories;
        p.Id = userId;
        p.Age = PickAge(ref rng);
        p.Gender = rng.NextInt(2);
        p.Occupation = rng.NextInt(16);
        p.CityTier = Math.Min(4, rng.NextGeometric(0.45, 4));
        p.MainDevice = rng.NextDouble() < 0.55 ? 0 : rng.NextDouble() < 0.7 ? 1 : 2 + rng.NextInt(2);
        p.Activity = ActivityOf(userId);
        p.TransientPhase = rng.NextInt(3);
        p.FacetCount = Math.Min(Math.Min(UserProfile.MaxFacets, c), 2 + rng.NextInt(3));
        int group = p.Age * 2 + p.Gender;
        double wsum = 0;
        for (int f = 0; f < p.FacetCount; f++)
        {
            int cat;
            do cat = rng.NextDouble() < 0.6 ? SampleCdf(_groupCdf.AsSpan(group * c, c), rng.NextDouble()) : rng.NextInt(c);
            while (Contains(p.FacetCategory, f, cat));
            p.FacetCategory[f] = cat;
            double w = rng.NextExponential(1.0) + 0.05;
            p.FacetWeight[f] = w; wsum += w;
            // Distinct tags when the category has enough (with one tag per category both picks are that tag).
            int first = rng.NextInt(_o.TagsPerCategory), second = _o.TagsPerCategory == 1 ? 0 : (first + 1 + rng.NextInt(_o.TagsPerCategory - 1)) % _o.TagsPerCategory;
            p.FacetTags[f * UserProfile.TagsPerFacet] = cat * _o.TagsPerCategory + first;
            p.FacetTags[f * UserProfile.TagsPerFacet + 1] = cat * _o.TagsPerCategory + second;
        }
        for (int f = 0; f < p.FacetCount; f++) p.FacetWeight[f] /= wsum;
    }

    /// <summary>
    /// The user's transient interest category on day <paramref name="day"/>: it changes every three days (phase per
    /// user), shows in organic behaviours and raises CTR; only sequence-aware models can see it.
    /// </summary>
    public int TransientCategory(UserProfile p, int day)
    {
        long epoch = (long)Math.Floor((day + 7 + p.TransientPhase) / 3.0);
        return (int)(SimRandom.Hash(SimRandom.Hash(_o.Seed ^ StreamTransient, (ulong)p.Id), (ulong)epoch) % (ulong)_o.Categories);
    }

    /// <summary>
    /// Organic behaviours of user <paramref name="p"/> on <paramref name="day"/> (may be negative: the lookback
    /// before day 0), sorted by time: Poisson(OrganicPerDay) events at uniform times; each ad is from the transient
    /// category (p 0.25), a facet category by weight (p 0.65) or a uniform category (p 0.10), uniform within it.
    /// Writes into the spans and returns the count (at most <paramref name="ads"/>.Length).
    /// </summary>
    public int OrganicDay(UserProfile p, int day, Span<int> ads, Span<long> ts)
    {
        var rng = SimRandom.For(_o.Seed, StreamOrganic, (ulong)p.Id, (ulong)(day + 1000));
        int n = Math.Min(rng.NextPoisson(_o.OrganicPerDay), ads.Length);
        long dayStart = SimulatorOptions.Epoch + (long)day * 86400;
        int transient = TransientCategory(p, day);
        for (int i = 0; i < n; i++)
        {
            double r = rng.NextDouble();
            int cat = r < 0.25 ? transient : r < 0.90 ? p.FacetCategory[PickFacet(p, rng.NextDouble())] : rng.NextInt(_o.Categories);
            int ad = _market.RandomAdInCategory(cat, ref rng);
            long t = dayStart + rng.NextInt(86400);
            int j = i; // insertion sort: n is ~3
            while (j > 0 && ts[j - 1] > t) { ts[j] = ts[j - 1]; ads[j] = ads[j - 1]; j--; }
            ts[j] = t; ads[j] = ad;
        }
        return n;
    }

    /// <summary>
    /// The newest <paramref name="maxLen"/> organic behaviours strictly before <paramref name="now"/>, newest last,
    /// looking back at most <see cref="LookbackDays"/> days. <paramref name="scratchAds"/>/<paramref name="scratchTs"/>
    /// need room for one day (64). Returns the length.
    /// </summary>
    public int History(UserProfile p, long now, int maxLen, Span<int> ads, Span<long> ts, Span<int> scratchAds, Span<long> scratchTs)
    {
        int day = (int)Math.Floor((now - SimulatorOptions.Epoch) / 86400.0);
        int got = 0; // collected newest-first into the tail of the output, then moved to the front
        for (int d = day; d >= day - LookbackDays && got < maxLen; d--)
        {
            int n = OrganicDay(p, d, scratchAds, scratchTs);
            for (int i = n - 1; i >= 0 && got < maxLen; i--)
            {
                if (scratchTs[i] >= now) continue;
                got++;
                ads[maxLen - got] = scratchAds[i];
                ts[maxLen - got] = scratchTs[i];
            }
        }
        if (got < maxLen)
        {
            ads.Slice(maxLen - got, got).CopyTo(ads);
            ts.Slice(maxLen - got, got).CopyTo(ts);
        }
        return got;
    }

    /// <summary>Facet index for a uniform draw <paramref name="u"/> by facet weight.</summary>
    public static int PickFacet(UserProfile p, double u)
    {
        for (int f = 0; f < p.FacetCount - 1; f++)
        {
            u -= p.FacetWeight[f];
            if (u < 0) return f;
        }
        return p.FacetCount - 1;
    }

    private static int PickAge(ref SimRandom rng)
    {
        // Share of each age bucket: 6, 18, 20, 18, 20, 11, 7 %.
        ReadOnlySpan<double> cdf = [0.06, 0.24, 0.44, 0.62, 0.82, 0.93, 1.0];
        return SampleCdf(cdf, rng.NextDouble());
    }

    private static int SampleCdf(ReadOnlySpan<double> cdf, double u)
    {
        for (int i = 0; i < cdf.Length - 1; i++) if (u < cdf[i]) return i;
        return cdf.Length - 1;
    }

    private static bool Contains(int[] a, int n, int v)
    {
        for (int i = 0; i < n; i++) if (a[i] == v) return true;
        return false;
    }
}
