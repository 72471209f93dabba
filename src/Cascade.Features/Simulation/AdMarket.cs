namespace Cascade.Features.Simulation;

/// <summary>Bid types of BAR Table 1.</summary>
public enum BidType : byte
{
    /// <summary>Optimised CPC: the advertiser sets a target CPA; bid per click = CPA × pCVR × pacing.</summary>
    Ocpc = 0,
    /// <summary>Max return under a budget: bid = min(CPC cap, default bid × pacing).</summary>
    MaxReturn = 1,
    /// <summary>Budget plus a KPI (target CPA): bid = min(CPA × pCVR, 2 × default bid) × pacing.</summary>
    MultiConstrained = 2,
}

/// <summary>
/// The ad corpus held in memory as parallel arrays (structure of arrays, ~150 bytes per ad plus the content vector):
/// static attributes (advertiser, category, tags, content, bid type, quality) and dynamic state (bid constraint,
/// budget, spend, pause flags) that advertiser events and clicks change over simulated time.
/// </summary>
public sealed partial class AdMarket
{
    private readonly SimulatorOptions _o;

    /// <summary>Advertiser of each ad. (N)</summary>
    public readonly int[] Advertiser;
    /// <summary>Category of each ad. (N)</summary>
    public readonly int[] Category;
    /// <summary>Tag ids of ad i are TagValues[TagOffsets[i]..TagOffsets[i+1]). (N+1)</summary>
    public readonly int[] TagOffsets;
    /// <summary>Concatenated tag ids.</summary>
    public readonly int[] TagValues;
    /// <summary>Creative content vectors, row-major. (N, ContentDim)</summary>
    public readonly float[] Content;
    /// <summary>Bid type of each ad. (N)</summary>
    public readonly BidType[] Bid;
    /// <summary>Latent ad quality added to the CTR logit, N(0, 0.35). (N)</summary>
    public readonly float[] Quality;
    /// <summary>Historical mean CPC bid ("default_bid_value" of BAR). (N)</summary>
    public readonly double[] DefaultBid;
    /// <summary>Current bid constraint: target CPA (oCPC, multi-constrained) or CPC cap (max-return). (N)</summary>
    public readonly double[] BidConstraint;
    /// <summary>Current daily budget. (N)</summary>
    public readonly double[] DailyBudget;
    /// <summary>Spend today (reset at 00:00). (N)</summary>
    public readonly double[] Spent;
    /// <summary>
    /// The fields every candidate touches (category, advertiser, quality, tags, serving flags) packed in 32 bytes per
    /// ad, so that scoring a candidate costs one cache line instead of six scattered array reads: with 1M ads the
    /// arrays do not fit in cache and each read is a miss (~100 ns). (N)
    /// </summary>
    internal readonly AdHot[] Hot;
    /// <summary>Main category of each advertiser. (A)</summary>
    public readonly int[] AdvertiserCategory;
    /// <summary>Advertiser term of the CVR logit, N(0, 0.4). (A)</summary>
    public readonly float[] AdvertiserCvrBias;
    /// <summary>Mean conversion delay of each advertiser in seconds, log-normal around 6 h, clamped to [10 min, 7 days]. (A)</summary>
    public readonly double[] AdvertiserDelayMean;
    private readonly int[] _catOffsets; // (C+1)
    private readonly int[] _catAds;     // ads grouped by category

    /// <summary>Number of ads.</summary>
    public int Count => Category.Length;

    /// <summary>Generates the corpus from the seed (see docs/design/simulator.md, "Ads").</summary>
    public AdMarket(SimulatorOptions o)
    {
        _o = o;
        int n = o.Ads, na = o.AdvertiserCount, c = o.Categories, dim = o.ContentDim;
        var rng = SimRandom.For(o.Seed, 11);
        AdvertiserCategory = new int[na]; AdvertiserCvrBias = new float[na]; AdvertiserDelayMean = new double[na];
        for (int a = 0; a < na; a++)
        {
            AdvertiserCategory[a] = rng.NextInt(c);
            AdvertiserCvrBias[a] = (float)(0.4 * rng.NextGaussian());
            AdvertiserDelayMean[a] = Math.Clamp(6 * 3600 * Math.Exp(rng.NextGaussian()), 600, 7 * 86400);
        }
        // Category centroids and a "quality direction": content = centroid + 0.4·noise + 0.5·quality·dir, so that
        // visually similar creatives (same LSH HashID) share both category and expected CTR (Tencent §3.2).
        var centroids = new float[c * dim];
        for (int i = 0; i < centroids.Length; i++) centroids[i] = (float)rng.NextGaussian();
        var qualityDir = new float[dim];
        double norm = 0;
        for (int i = 0; i < dim; i++) { qualityDir[i] = (float)rng.NextGaussian(); norm += qualityDir[i] * qualityDir[i]; }
        for (int i = 0; i < dim; i++) qualityDir[i] = (float)(qualityDir[i] / Math.Sqrt(norm));

        Advertiser = new int[n]; Category = new int[n]; TagOffsets = new int[n + 1]; Content = new float[n * dim];
        Bid = new BidType[n]; Quality = new float[n]; DefaultBid = new double[n]; BidConstraint = new double[n];
        DailyBudget = new double[n]; Spent = new double[n]; Hot = new AdHot[n];
        var tags = new List<int>(n * 3);
        double clicksPerAdDay = ExpectedClicksPerAdDay(o);
        for (int i = 0; i < n; i++)
        {
            int adv = i < na ? i : rng.NextInt(na); // every advertiser owns at least one ad
            int cat = rng.NextDouble() < 0.85 ? AdvertiserCategory[adv] : rng.NextInt(c);
            Advertiser[i] = adv; Category[i] = cat;
            TagOffsets[i] = tags.Count;
            int nt = Math.Min(1 + rng.NextInt(3), o.TagsPerCategory);
            for (int t = 0; t < nt; t++)
            {
                int tag;
                do tag = cat * o.TagsPerCategory + rng.NextInt(o.TagsPerCategory);
                while (tags.IndexOf(tag, TagOffsets[i]) >= 0);
                tags.Add(tag);
            }
            if (rng.NextDouble() < 0.2)
            {
                int other = (cat + 1 + rng.NextInt(c - 1)) % c;
                tags.Add(other * o.TagsPerCategory + rng.NextInt(o.TagsPerCategory));
            }
            float q = (float)(0.35 * rng.NextGaussian());
            Quality[i] = q;
            for (int k = 0; k < dim; k++)
                Content[i * dim + k] = centroids[cat * dim + k] + (float)(0.4 * rng.NextGaussian()) + 0.5f / 0.35f * q * qualityDir[k];
            double r = rng.NextDouble();
            Bid[i] = r < 0.5 ? BidType.Ocpc : r < 0.75 ? BidType.MaxReturn : BidType.MultiConstrained;
            DefaultBid[i] = 0.8 * Math.Exp(0.5 * rng.NextGaussian());
            BidConstraint[i] = Bid[i] == BidType.MaxReturn
                ? DefaultBid[i] * rng.Uniform(1.2, 2.0)
                : DefaultBid[i] / (2 * o.BaseCvr) * Math.Exp(0.3 * rng.NextGaussian());
            DailyBudget[i] = Math.Max(10 * DefaultBid[i],
                1.5 * o.BudgetScale * DefaultBid[i] * clicksPerAdDay * Math.Exp(0.6 * rng.NextGaussian()));
        }
        TagOffsets[n] = tags.Count;
        TagValues = tags.ToArray();
        for (int i = 0; i < n; i++)
        {
            ref var h = ref Hot[i];
            h.Category = Category[i]; h.Advertiser = Advertiser[i]; h.Quality = Quality[i];
            var t = TagsOf(i);
            h.TagCount = (byte)t.Length; // 1–3 own tags + at most one cross tag = at most 4
            h.Tag0 = t.Length > 0 ? t[0] : -1; h.Tag1 = t.Length > 1 ? t[1] : -1;
            h.Tag2 = t.Length > 2 ? t[2] : -1; h.Tag3 = t.Length > 3 ? t[3] : -1;
        }
        (_catOffsets, _catAds) = GroupByCategory(Category, c);
    }

    /// <summary>
    /// Rough clicks per ad per day used to size budgets: users × mean activity (0.65·Activity) × mean requests
    /// per session (~2.4) × slots × 4 % CTR / ads.
    /// </summary>
    public static double ExpectedClicksPerAdDay(SimulatorOptions o)
        => (double)o.Users * 0.65 * o.Activity * 2.4 * o.Slots * 0.04 / o.Ads;

    /// <summary>Ads of category <paramref name="cat"/>.</summary>
    public ReadOnlySpan<int> AdsInCategory(int cat) => _catAds.AsSpan(_catOffsets[cat], _catOffsets[cat + 1] - _catOffsets[cat]);

    /// <summary>A uniform ad of the category, or a uniform ad when the category has none.</summary>
    public int RandomAdInCategory(int cat, ref SimRandom rng)
    {
        int lo = _catOffsets[cat], len = _catOffsets[cat + 1] - lo;
        return len == 0 ? rng.NextInt(Count) : _catAds[lo + rng.NextInt(len)];
    }

    /// <summary>Tags of ad <paramref name="ad"/>.</summary>
    public ReadOnlySpan<int> TagsOf(int ad) => TagValues.AsSpan(TagOffsets[ad], TagOffsets[ad + 1] - TagOffsets[ad]);

    /// <summary>Whether the ad can be served now (not paused, budget left).</summary>
    public bool Eligible(int ad) => Hot[ad].Flags == 0;

    /// <summary>Paused by the advertiser.</summary>
    public bool IsPaused(int ad) => (Hot[ad].Flags & AdHot.PausedFlag) != 0;

    /// <summary>Budget exhausted today.</summary>
    public bool IsExhausted(int ad) => (Hot[ad].Flags & AdHot.ExhaustedFlag) != 0;

    private void SetFlag(int ad, byte flag, bool on)
    {
        if (on) Hot[ad].Flags |= flag;
        else Hot[ad].Flags &= (byte)~flag;
    }

    /// <summary>Budget-left ratio in [0, 1] (BAR Table 1).</summary>
    public double BudgetLeftRatio(int ad) => Math.Clamp(1 - Spent[ad] / DailyBudget[ad], 0, 1);

    /// <summary>
    /// The bid (per click) of <paramref name="ad"/> for an estimated CVR, with budget pacing
    /// pace = clamp((budgetLeft + 0.1) / (timeLeft + 0.1), 0.5, 1.5): ads ahead of their spend plan bid up.
    /// </summary>
    public double BidFor(int ad, double pcvr, double timeLeft)
    {
        double pace = Math.Clamp((BudgetLeftRatio(ad) + 0.1) / (timeLeft + 0.1), 0.5, 1.5);
        return Bid[ad] switch
        {
            BidType.Ocpc => BidConstraint[ad] * pcvr * pace,
            BidType.MaxReturn => Math.Min(BidConstraint[ad], DefaultBid[ad] * pace),
            _ => Math.Min(BidConstraint[ad] * pcvr, 2 * DefaultBid[ad]) * pace,
        };
    }

    private static (int[] Offsets, int[] Ads) GroupByCategory(int[] category, int c)
    {
        var offsets = new int[c + 1];
        foreach (int cat in category) offsets[cat + 1]++;
        for (int k = 0; k < c; k++) offsets[k + 1] += offsets[k];
        var fill = offsets.AsSpan(0, c).ToArray();
        var ads = new int[category.Length];
        for (int i = 0; i < category.Length; i++) ads[fill[category[i]]++] = i;
        return (offsets, ads);
    }
}

/// <summary>Hot per-ad fields packed into 32 bytes (two ads per cache line).</summary>
internal struct AdHot
{
    public const byte PausedFlag = 1, ExhaustedFlag = 2;
    public int Category, Advertiser;
    public float Quality;
    public byte TagCount, Flags;
    public int Tag0, Tag1, Tag2, Tag3;
}
