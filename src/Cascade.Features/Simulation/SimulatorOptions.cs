namespace Cascade.Features.Simulation;

/// <summary>
/// Every knob of the ad-market simulator. Defaults give a small market (10k users, 2k ads, 2 days) whose exposure
/// CTR lands around 3–6 % and CVR after a click around 5–15 %; docs/design/simulator.md gives the formulas that use
/// each knob. Call <see cref="Validate"/> (the simulator does) to get an <see cref="ArgumentException"/> naming the
/// bad option and its allowed range.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>Number of users (ids 0..Users−1), 1..100,000,000. Users are derived from (Seed, id), never stored.</summary>
    public int Users { get; init; } = 10_000;
    /// <summary>Number of ads (ids 0..Ads−1), 1..2,000,000; all ads are held in memory (~200 bytes each).</summary>
    public int Ads { get; init; } = 2_000;
    /// <summary>Simulated days, 1..365. Day d covers [Epoch + d·86400, Epoch + (d+1)·86400).</summary>
    public int Days { get; init; } = 2;
    /// <summary>Seed of every random stream.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Ad categories, 2..250.</summary>
    public int Categories { get; init; } = 24;
    /// <summary>Tags per category (tag ids are category·TagsPerCategory + k), 1..100.</summary>
    public int TagsPerCategory { get; init; } = 8;
    /// <summary>Advertisers, 0..Ads (0 = max(1, Ads / 10)); each ad belongs to one advertiser, each advertiser to one main category.</summary>
    public int Advertisers { get; init; }
    /// <summary>The advertiser count in use: <see cref="Advertisers"/>, or max(1, Ads / 10) when it is 0.</summary>
    public int AdvertiserCount => Advertisers > 0 ? Advertisers : Math.Max(1, Ads / 10);
    /// <summary>Dimension of each ad's creative content vector, 2..256 (LSH HashIDs are computed from it).</summary>
    public int ContentDim { get; init; } = 16;
    /// <summary>Baseline CTR: the logit intercept of the CTR model is logit(BaseCtr); in (0, 0.5).</summary>
    public double BaseCtr { get; init; } = 0.005;
    /// <summary>Baseline CVR after a click: the logit intercept of the CVR model; in (0, 0.5).</summary>
    public double BaseCvr { get; init; } = 0.05;
    /// <summary>Scale of each user's daily activity probability (multiplies a per-user U(0.3, 1) draw); in (0, 1].</summary>
    public double Activity { get; init; } = 0.6;
    /// <summary>Maximum requests in one session, 1..64 (1 + Geometric(0.4), capped).</summary>
    public int MaxRequestsPerSession { get; init; } = 8;
    /// <summary>Ads retrieved per request (interest-matched + random), 2..1024.</summary>
    public int RetrievalPool { get; init; } = 64;
    /// <summary>Share of the retrieval pool drawn from the user's interest categories; the rest is uniform; [0, 1].</summary>
    public double InterestShare { get; init; } = 0.75;
    /// <summary>Ads that enter ranking (the top of the pool by retrieval score), 1..RetrievalPool.</summary>
    public int RankingSize { get; init; } = 16;
    /// <summary>Impression slots per request (top of the ranking by eCPM), 1..RankingSize.</summary>
    public int Slots { get; init; } = 3;
    /// <summary>Retrieved-only rows written per request (a uniform sample of the pool not ranked), 0..RetrievalPool−RankingSize.</summary>
    public int RetrievalRows { get; init; } = 8;
    /// <summary>Maximum behaviour-sequence length written and used by the truth model, 1..200 (newest last).</summary>
    public int HistoryLength { get; init; } = 20;
    /// <summary>Mean organic behaviours per user-day, (0, 50].</summary>
    public double OrganicPerDay { get; init; } = 3;
    /// <summary>Std of the Gaussian noise on the retrieval score (logit units), ≥ 0.</summary>
    public double RetrievalNoise { get; init; } = 0.8;
    /// <summary>Std of the log-normal noise of the ranker's pCTR and pCVR estimates, ≥ 0.</summary>
    public double RankerNoise { get; init; } = 0.3;
    /// <summary>Daily probability that an ad gets an advertiser action (bid-constraint or budget change, or a pause), [0, 1].</summary>
    public double EventRate { get; init; } = 0.1;
    /// <summary>Multiplier of the calibrated daily budgets (smaller → more ads run out), &gt; 0.</summary>
    public double BudgetScale { get; init; } = 1.0;
    /// <summary>Also write each ad's content vector in every sample row (wider rows; ads.csv always has it).</summary>
    public bool ContentInSamples { get; init; }

    /// <summary>Unix time of day 0, 00:00 UTC (2024-01-01). History goes back up to 7 days before it.</summary>
    public const long Epoch = 1_704_067_200;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        Check(Users is >= 1 and <= 100_000_000, nameof(Users), Users, "1..100000000");
        Check(Ads is >= 1 and <= 2_000_000, nameof(Ads), Ads, "1..2000000");
        Check(Days is >= 1 and <= 365, nameof(Days), Days, "1..365");
        Check(Categories is >= 2 and <= 250, nameof(Categories), Categories, "2..250");
        Check(TagsPerCategory is >= 1 and <= 100, nameof(TagsPerCategory), TagsPerCategory, "1..100");
        Check(Advertisers >= 0 && Advertisers <= Ads, nameof(Advertisers), Advertisers, $"0..Ads ({Ads}), 0 = Ads / 10");
        Check(ContentDim is >= 2 and <= 256, nameof(ContentDim), ContentDim, "2..256");
        Check(BaseCtr is > 0 and < 0.5, nameof(BaseCtr), BaseCtr, "(0, 0.5)");
        Check(BaseCvr is > 0 and < 0.5, nameof(BaseCvr), BaseCvr, "(0, 0.5)");
        Check(Activity is > 0 and <= 1, nameof(Activity), Activity, "(0, 1]");
        Check(MaxRequestsPerSession is >= 1 and <= 64, nameof(MaxRequestsPerSession), MaxRequestsPerSession, "1..64");
        Check(RetrievalPool is >= 2 and <= 1024, nameof(RetrievalPool), RetrievalPool, "2..1024");
        Check(InterestShare is >= 0 and <= 1, nameof(InterestShare), InterestShare, "[0, 1]");
        Check(RankingSize >= 1 && RankingSize <= RetrievalPool, nameof(RankingSize), RankingSize, $"1..RetrievalPool ({RetrievalPool})");
        Check(Slots >= 1 && Slots <= RankingSize, nameof(Slots), Slots, $"1..RankingSize ({RankingSize})");
        Check(RetrievalRows >= 0 && RetrievalRows <= RetrievalPool - RankingSize, nameof(RetrievalRows), RetrievalRows,
            $"0..RetrievalPool−RankingSize ({RetrievalPool - RankingSize})");
        Check(HistoryLength is >= 1 and <= 200, nameof(HistoryLength), HistoryLength, "1..200");
        Check(OrganicPerDay is > 0 and <= 50, nameof(OrganicPerDay), OrganicPerDay, "(0, 50]");
        Check(RetrievalNoise is >= 0 and <= 10, nameof(RetrievalNoise), RetrievalNoise, "[0, 10]");
        Check(RankerNoise is >= 0 and <= 10, nameof(RankerNoise), RankerNoise, "[0, 10]");
        Check(EventRate is >= 0 and <= 1, nameof(EventRate), EventRate, "[0, 1]");
        Check(BudgetScale is > 0 and <= 1e6, nameof(BudgetScale), BudgetScale, "(0, 1e6]");
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
            throw new ArgumentException(
                $"Simulator option {name} = {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)} is out of range; allowed: {range}.", name);
    }
}
