namespace Cascade.Features.Simulation;

public sealed partial class MarketSimulator
{
    private static readonly byte[] SrcExposure = "exposure"u8.ToArray(), SrcRanking = "ranking"u8.ToArray(), SrcRetrieval = "retrieval"u8.ToArray();
    private readonly RequestState _req;
    private readonly (byte[] Bytes, int[] Offsets, byte[]? Content, int[]? ContentOffsets) _adStatic;
    private Utf8CsvWriter? _out;
    private readonly double[] _constraintValue; // (Ads) value whose bytes are cached, NaN = none
    private readonly byte[] _constraintBytes;   // (Ads, 24) "bid_constraint," per ad
    private readonly byte[] _constraintLength;  // (Ads)
    private long _sessions, _requests, _exposures, _rankingRows, _retrievalRows, _clicks, _conversions;

    /// <summary>Click probability multiplier of slot <paramref name="position"/> (1-based): 1 / (1 + 0.35·(position − 1)).</summary>
    public static double PositionBias(int position) => 1.0 / (1.0 + 0.35 * (position - 1));

    /// <summary>
    /// One request: retrieval (pool of interest-matched and random eligible ads scored by the true CTR logit plus
    /// noise), ranking of the pool's top RankingSize by eCPM = pCTR·bid·1000 with noisy estimates, the top Slots
    /// shown; clicks ~ Bernoulli(true CTR·position bias), conversions ~ Bernoulli(true CVR) with exponential delay;
    /// GSP cost charged to the budget. Writes exposure, ranking and sampled retrieval rows.
    /// </summary>
    private void RunRequest(ref SimRandom rng, long t, int day, int hour, int device, int transient)
    {
        var s = _req;
        _truth.Prepare(s.Truth, s.Profile, hour, device, transient, s.HistAds, s.HistTs, s.HistLen, t);
        long requestId = _requests++;
        // A session that crosses midnight keeps its day (budget state, day column); its time-left ratio stops at 0.
        double timeLeft = Math.Max(0, 1 - (t - SimulatorOptions.Epoch - (long)day * 86400) / 86400.0);
        int n = BuildPool(ref rng);
        if (n == 0) return;
        for (int i = 0; i < n; i++)
        {
            int ad = s.Pool[i];
            s.Exposure[i] = s.SeenCountOf(ad);
            _truth.Evaluate(s.Truth, ad, s.Exposure[i], out s.CtrLogit[i], out s.CvrLogit[i]);
            s.RetScore[i] = s.CtrLogit[i] + _o.RetrievalNoise * rng.NextGaussian();
            s.Order[i] = i;
        }
        int k = Math.Min(_o.RankingSize, n);
        SelectTop(s.Order, s.RetScore, n, k, s.Pool);
        for (int j = 0; j < k; j++)
        {
            int i = s.Order[j], ad = s.Pool[i];
            s.TrueCtr[i] = TruthModel.Sigmoid(s.CtrLogit[i]);
            s.TrueCvr[i] = TruthModel.Sigmoid(s.CvrLogit[i]);
            s.Pctr[i] = Math.Min(0.999, s.TrueCtr[i] * Math.Exp(_o.RankerNoise * rng.NextGaussian()));
            s.Pcvr[i] = Math.Min(0.999, s.TrueCvr[i] * Math.Exp(_o.RankerNoise * rng.NextGaussian()));
            s.BudgetLeft[i] = _market.BudgetLeftRatio(ad); // before this request's clicks: the row shows request-time state
            s.BidValue[i] = _market.BidFor(ad, s.Pcvr[i], timeLeft);
            s.Ecpm[i] = s.Pctr[i] * s.BidValue[i] * 1000;
        }
        SortByDescending(s.Order, s.Ecpm, k, s.Pool);
        if (_out is not null) FormatPrefix(requestId, t, day, hour, device, timeLeft);

        int shown = Math.Min(_o.Slots, k), clicked = 0;
        for (int j = 0; j < shown; j++)
        {
            int i = s.Order[j], ad = s.Pool[i];
            int click = rng.NextDouble() < s.TrueCtr[i] * PositionBias(j + 1) ? 1 : 0;
            int conversion = 0;
            long delay = 0;
            if (click == 1)
            {
                _clicks++;
                double next = j + 1 < k ? s.Ecpm[s.Order[j + 1]] : 0;
                double cost = Math.Clamp(next / (1000 * s.Pctr[i]), Math.Min(0.01, s.BidValue[i]), s.BidValue[i]);
                _market.Charge(ad, cost, t);
                s.ClickedAds[clicked++] = ad;
                if (rng.NextDouble() < s.TrueCvr[i])
                {
                    conversion = 1;
                    _conversions++;
                    delay = Math.Max(1, (long)Math.Ceiling(rng.NextExponential(_market.AdvertiserDelayMean[_market.Advertiser[ad]])));
                }
            }
            _exposures++;
            WriteRow(i, SrcExposure, j + 1, j + 1, click, conversion, delay);
        }
        for (int j = shown; j < k; j++)
        {
            _rankingRows++;
            WriteRow(s.Order[j], SrcRanking, j + 1, 0, 0, 0, 0);
        }
        int rest = n - k, m = Math.Min(_o.RetrievalRows, rest);
        for (int r = 0; r < m; r++)
        {
            int pick = k + r + rng.NextInt(rest - r);
            (s.Order[k + r], s.Order[pick]) = (s.Order[pick], s.Order[k + r]);
            int i = s.Order[k + r];
            s.Pctr[i] = s.Pcvr[i] = s.BidValue[i] = s.Ecpm[i] = 0;
            s.TrueCtr[i] = TruthModel.Sigmoid(s.CtrLogit[i]);
            s.TrueCvr[i] = TruthModel.Sigmoid(s.CvrLogit[i]);
            s.BudgetLeft[i] = _market.BudgetLeftRatio(s.Pool[i]); // not shown: untouched by this request's clicks
            _retrievalRows++;
            WriteRow(i, SrcRetrieval, 0, 0, 0, 0, 0);
        }
        for (int j = 0; j < shown; j++) s.AddSeen(s.Pool[s.Order[j]]);
        for (int c = 0; c < clicked; c++) s.AppendHistory(s.ClickedAds[c], t);
    }

    /// <summary>
    /// Fills the pool with distinct eligible ads: round(Pool·InterestShare) from the user's facet categories (facet
    /// by weight, ad uniform in the category), the rest uniform over the corpus; at most 3·Pool tries per part.
    /// </summary>
    private int BuildPool(ref SimRandom rng)
    {
        var s = _req;
        s.Seen.Clear();
        int pool = _o.RetrievalPool, nInterest = (int)Math.Round(pool * _o.InterestShare), n = 0;
        for (int tries = 0; n < nInterest && tries < 3 * pool; tries++)
        {
            int cat = s.Profile.FacetCategory[UserModel.PickFacet(s.Profile, rng.NextDouble())];
            int ad = _market.RandomAdInCategory(cat, ref rng);
            if (_market.Eligible(ad) && s.Seen.Add(ad)) s.Pool[n++] = ad;
        }
        for (int tries = 0; n < pool && tries < 3 * pool; tries++)
        {
            int ad = rng.NextInt(_market.Count);
            if (_market.Eligible(ad) && s.Seen.Add(ad)) s.Pool[n++] = ad;
        }
        return n;
    }

    /// <summary>
    /// Moves the k best of order[0..n) (by key descending, ties by lower ad id) to the front, sorted; the rest keep
    /// their relative order behind them. Insertion into a sorted top-k: ~k·(1 + ln(n/k)) insertions on random input.
    /// </summary>
    private void SelectTop(int[] order, double[] key, int n, int k, int[] pool)
    {
        var top = _req.Top;
        int cnt = 0, rest = 0;
        var others = _req.Others;
        for (int j = 0; j < n; j++)
        {
            int v = order[j];
            if (cnt == k && !Better(v, top[cnt - 1], key, pool)) { others[rest++] = v; continue; }
            if (cnt == k) others[rest++] = top[--cnt];
            int i = cnt - 1;
            while (i >= 0 && Better(v, top[i], key, pool)) { top[i + 1] = top[i]; i--; }
            top[i + 1] = v;
            cnt++;
        }
        Array.Copy(top, 0, order, 0, cnt);
        Array.Copy(others, 0, order, cnt, rest);
    }

    private static void SortByDescending(int[] order, double[] key, int k, int[] pool)
    {
        for (int j = 1; j < k; j++)
        {
            int v = order[j], i = j - 1;
            while (i >= 0 && Better(v, order[i], key, pool)) { order[i + 1] = order[i]; i--; }
            order[i + 1] = v;
        }
    }

    private static bool Better(int a, int b, double[] key, int[] pool)
        => key[a] > key[b] || (key[a] == key[b] && pool[a] < pool[b]);
}
