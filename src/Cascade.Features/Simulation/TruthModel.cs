namespace Cascade.Features.Simulation;

/// <summary>
/// The ground-truth CTR and CVR of a (user, ad, context, history) tuple. Formulas (docs/design/simulator.md):
/// <code>
/// m(u,a)     = Σ_k w_k · 1[c_k = cat_a] · (1 + 0.5 · |T_k ∩ tags_a|)                       facet interest
/// S(u,a,t)   = min(2, Σ_{i: ad_i ≠ a} exp(−(t − t_i)/43200 s) · (1[cat_i = cat_a] + 1.5 · 1[adv_i = adv_a]))  sequence
/// ctr logit  = logit(BaseCtr) + q_a + 1.6·m + AgeCat[age,cat] + GenderCat[gender,cat] + HourCat[hour/4,cat]
///              + Device[device] + 0.8·1[cat_a = transient(u,day)] + 0.6·S − 1.0·n_exp
/// cvr logit  = logit(BaseCvr) + 0.8·m + OccCat[occupation,cat] + CityCat[tier,cat] + r_adv
/// </code>
/// The co-action tables are N(0, σ) with σ = 0.5 (age×cat), 0.3 (gender×cat), 0.25 (hour×cat), 0.15 (device),
/// 0.5 (occupation×cat), 0.3 (city×cat), drawn from the seed. n_exp counts earlier impressions of the ad to the user
/// in the session (repeated-exposure fatigue); behaviours on the target ad itself are left out of S so that a
/// clicked ad does not boost its own next exposure (fatigue, not the sequence, governs repeats).
/// </summary>
public sealed class TruthModel
{
    /// <summary>Weight of facet interest in the CTR logit.</summary>
    public const double InterestWeight = 1.6;
    /// <summary>Weight of the transient (three-day) interest in the CTR logit.</summary>
    public const double TransientWeight = 0.8;
    /// <summary>Weight of the sequence term S in the CTR logit.</summary>
    public const double SequenceWeight = 0.6;
    /// <summary>Cap of the sequence term S.</summary>
    public const double SequenceCap = 2.0;
    /// <summary>Recency decay time constant of the sequence term, seconds (12 h).</summary>
    public const double SequenceTau = 43200;
    /// <summary>Weight of an advertiser match relative to a category match inside S.</summary>
    public const double AdvertiserMatch = 1.5;
    /// <summary>CTR logit drop per earlier exposure in the session.</summary>
    public const double FatiguePerExposure = 1.0;
    /// <summary>Weight of facet interest in the CVR logit.</summary>
    public const double CvrInterestWeight = 0.8;

    private readonly AdMarket _m;
    private readonly int _c, _tagsPerCategory;
    private readonly double _b0, _c0;
    private readonly float[] _ageCat, _genderCat, _hourCat, _device, _occCat, _cityCat;

    /// <summary>Draws the co-action tables from the seed.</summary>
    public TruthModel(SimulatorOptions o, AdMarket market)
    {
        _m = market;
        _c = o.Categories;
        _tagsPerCategory = o.TagsPerCategory;
        _b0 = Math.Log(o.BaseCtr / (1 - o.BaseCtr));
        _c0 = Math.Log(o.BaseCvr / (1 - o.BaseCvr));
        var rng = SimRandom.For(o.Seed, 13);
        _ageCat = Table(ref rng, 7 * _c, 0.5);
        _genderCat = Table(ref rng, 2 * _c, 0.3);
        _hourCat = Table(ref rng, 6 * _c, 0.25);
        _device = Table(ref rng, 4, 0.15);
        _occCat = Table(ref rng, 16 * _c, 0.5);
        _cityCat = Table(ref rng, 5 * _c, 0.3);
    }

    private static float[] Table(ref SimRandom rng, int n, double sigma)
    {
        var t = new float[n];
        for (int i = 0; i < n; i++) t[i] = (float)(sigma * rng.NextGaussian());
        return t;
    }

    /// <summary>Logistic function.</summary>
    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>
    /// Precomputes everything of one request that does not depend on the ad: per-category CTR and CVR bases and the
    /// decayed category/advertiser weights of the history (newest last; <paramref name="histLen"/> entries).
    /// </summary>
    public void Prepare(RequestTruth rt, UserProfile p, int hour, int device, int transient,
        ReadOnlySpan<int> histAds, ReadOnlySpan<long> histTs, int histLen, long now)
    {
        rt.Profile = p;
        int c = _c;
        for (int k = 0; k < c; k++)
        {
            rt.CtrBase[k] = _b0 + _ageCat[p.Age * c + k] + _genderCat[p.Gender * c + k] + _hourCat[hour / 4 * c + k] + _device[device];
            rt.CvrBase[k] = _c0 + _occCat[p.Occupation * c + k] + _cityCat[p.CityTier * c + k];
            rt.SeqCat[k] = 0;
        }
        rt.CtrBase[transient] += TransientWeight;
        // m(u,a) = Σ_k w_k·1[c_k = cat_a] + Σ_{t ∈ tags_a, cat(t) = cat_a} TagWeight[t], TagWeight[t] = 0.5·Σ_k w_k·1[t ∈ T_k]
        for (int i = 0; i < rt.TouchedTags; i++) rt.TagWeight[rt.Touched[i]] = 0;
        rt.TouchedTags = 0;
        for (int k = 0; k < c; k++) rt.InterestCat[k] = 0;
        for (int f = 0; f < p.FacetCount; f++)
        {
            rt.InterestCat[p.FacetCategory[f]] += p.FacetWeight[f];
            for (int t = 0; t < UserProfile.TagsPerFacet; t++)
            {
                int tag = p.FacetTags[f * UserProfile.TagsPerFacet + t];
                if (t > 0 && tag == p.FacetTags[f * UserProfile.TagsPerFacet]) continue; // one tag per category: same tag twice
                if (rt.TagWeight[tag] == 0) rt.Touched[rt.TouchedTags++] = tag;
                rt.TagWeight[tag] += 0.5 * p.FacetWeight[f];
            }
        }
        rt.AdvCount = 0;
        rt.HistLen = histLen;
        for (int i = 0; i < histLen; i++)
        {
            double w = Math.Exp(-(now - histTs[i]) / SequenceTau);
            int ad = histAds[i];
            rt.HistAds[i] = ad;
            rt.HistWeights[i] = w;
            rt.SeqCat[_m.Category[ad]] += w;
            int adv = _m.Advertiser[ad], j = 0;
            while (j < rt.AdvCount && rt.AdvIds[j] != adv) j++;
            if (j == rt.AdvCount) { rt.AdvIds[j] = adv; rt.AdvWeights[j] = 0; rt.AdvCount++; }
            rt.AdvWeights[j] += w;
        }
    }

    /// <summary>Facet interest m(u, a) of the prepared request's user (facet tags are distinct, so |T_k ∩ tags_a| counts each once).</summary>
    public double Interest(RequestTruth rt, int ad) => Interest(rt, in _m.Hot[ad]);

    private double Interest(RequestTruth rt, in AdHot h)
    {
        int cat = h.Category;
        double m = rt.InterestCat[cat];
        if (m == 0) return 0;
        // Own tags lie in [lo, hi); the cross-category tag (if any) never matches a facet of this category.
        int lo = cat * _tagsPerCategory, hi = lo + _tagsPerCategory;
        var w = rt.TagWeight;
        if ((uint)(h.Tag0 - lo) < (uint)(hi - lo)) m += w[h.Tag0];
        if ((uint)(h.Tag1 - lo) < (uint)(hi - lo)) m += w[h.Tag1];
        if ((uint)(h.Tag2 - lo) < (uint)(hi - lo)) m += w[h.Tag2];
        if ((uint)(h.Tag3 - lo) < (uint)(hi - lo)) m += w[h.Tag3];
        return m;
    }

    /// <summary>True CTR logit and CVR logit of <paramref name="ad"/> after <paramref name="exposures"/> earlier impressions.</summary>
    public void Evaluate(RequestTruth rt, int ad, int exposures, out double ctrLogit, out double cvrLogit)
    {
        ref readonly var h = ref _m.Hot[ad];
        int cat = h.Category, adv = h.Advertiser;
        double m = Interest(rt, in h);
        double advW = 0;
        for (int j = 0; j < rt.AdvCount; j++) if (rt.AdvIds[j] == adv) { advW = rt.AdvWeights[j]; break; }
        double self = 0; // the target ad's own behaviours: removed from both the category and the advertiser sums
        for (int i = 0; i < rt.HistLen; i++) if (rt.HistAds[i] == ad) self += rt.HistWeights[i];
        double s = Math.Min(SequenceCap, rt.SeqCat[cat] + AdvertiserMatch * advW - (1 + AdvertiserMatch) * self);
        ctrLogit = rt.CtrBase[cat] + h.Quality + InterestWeight * m + SequenceWeight * s - FatiguePerExposure * exposures;
        cvrLogit = rt.CvrBase[cat] + CvrInterestWeight * m + _m.AdvertiserCvrBias[adv];
    }
}

/// <summary>Per-request scratch of <see cref="TruthModel"/>; reused across requests (no allocation per request).</summary>
public sealed class RequestTruth
{
    /// <summary>Allocates scratch for <paramref name="categories"/> categories, histories up to <paramref name="maxHistory"/>
    /// and <paramref name="tags"/> tag ids (Categories · TagsPerCategory).</summary>
    public RequestTruth(int categories, int maxHistory, int tags)
    {
        InterestCat = new double[categories]; TagWeight = new double[tags];
        Touched = new int[UserProfile.MaxFacets * UserProfile.TagsPerFacet];
        CtrBase = new double[categories]; CvrBase = new double[categories]; SeqCat = new double[categories];
        AdvIds = new int[maxHistory]; AdvWeights = new double[maxHistory];
        HistAds = new int[maxHistory]; HistWeights = new double[maxHistory];
    }

    internal UserProfile? Profile;
    internal readonly double[] CtrBase, CvrBase, SeqCat; // (C)
    internal readonly int[] AdvIds;                       // (L) distinct advertisers in the history
    internal readonly double[] AdvWeights;                // (L)
    internal int AdvCount;
    internal readonly int[] HistAds;                      // (L) history ads and their decay weights
    internal readonly double[] HistWeights;               // (L)
    internal int HistLen;
    internal readonly double[] InterestCat;               // (C) Σ_k w_k·1[c_k = c]
    internal readonly double[] TagWeight;                 // (C·TagsPerCategory) 0.5·Σ_k w_k·1[t ∈ T_k]
    internal readonly int[] Touched;                      // tags with a non-zero weight, to reset them
    internal int TouchedTags;
}
