using System.Globalization;
using Cascade.Features.Simulation;

namespace Cascade.Features.Tests.Simulation;

/// <summary>Statistical sanity of the simulated market (thresholds are wide: they catch broken mechanics, not noise).</summary>
public sealed class SimulatorStatisticsTests(SimRunFixture run) : IClassFixture<SimRunFixture>
{
    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    private static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void CountsMatchSummaryAndSources()
    {
        var s = run.Summary;
        int src = run.Col("source");
        Assert.Equal(s.Samples, run.Samples.Count);
        Assert.Equal(s.Exposures, run.Samples.Count(r => r[src] == "exposure"));
        Assert.Equal(s.RankingRows, run.Samples.Count(r => r[src] == "ranking"));
        Assert.Equal(s.RetrievalRows, run.Samples.Count(r => r[src] == "retrieval"));
        Assert.Equal(s.Clicks, run.Samples.Sum(r => L(r[run.Col("click")])));
        Assert.Equal(s.Conversions, run.Samples.Sum(r => L(r[run.Col("conversion")])));
        Assert.Equal(s.Events, run.Events.Count);
        Assert.Equal(s.Behaviours, run.Behaviours.Count);
        Assert.Equal(SimRunFixture.Options.Users, run.Users.Count);
        Assert.Equal(SimRunFixture.Options.Ads, run.Ads.Count);
        Assert.True(s.Requests > 1000 && s.Exposures == 3 * s.Requests, $"requests {s.Requests}, exposures {s.Exposures}");
    }

    [Fact]
    public void CtrAndCvrAreInTheDocumentedRange()
    {
        // docs/design/simulator.md: with the defaults, exposure CTR lands in 2–8 % and CVR after a click in 5–25 %.
        Assert.InRange(run.Summary.Ctr, 0.02, 0.08);
        Assert.InRange(run.Summary.Cvr, 0.05, 0.25);
    }

    [Fact]
    public void InterestMatchedAdsHaveHigherTrueCtr()
    {
        var interests = run.Users.ToDictionary(u => u[0], u => u[7].Split('|').ToHashSet());
        int user = run.Col("user_id"), cat = run.Col("category"), ctr = run.Col("true_ctr");
        double inSum = 0, outSum = 0; int inN = 0, outN = 0;
        foreach (var r in run.Samples)
        {
            if (interests[r[user]].Contains(r[cat])) { inSum += D(r[ctr]); inN++; }
            else { outSum += D(r[ctr]); outN++; }
        }
        Assert.True(inN > 1000 && outN > 1000);
        // The interest term adds 1.6·w_k ≥ 0.08 to the logit; on average (w ≈ 1/3) it is worth ~1.7x.
        Assert.True(inSum / inN > 1.3 * (outSum / outN), $"matched {inSum / inN:F4} vs unmatched {outSum / outN:F4}");
    }

    [Fact]
    public void ClickRateFallsWithRepeatedExposure()
    {
        // Comparing raw click rates of first and repeated exposures mixes in selection (ads shown twice are those
        // with the highest eCPM for the user; ads clicked once may run out of budget), so compare each group with
        // its own expectation: clicks follow true_ctr · position bias, and repeats click clearly less than they would
        // without fatigue (true CTR logit + 1.0·n); and their true CTR is lower on average despite that selection.
        int src = run.Col("source"), exp = run.Col("exposure_count"), click = run.Col("click"), ctr = run.Col("true_ctr"), pos = run.Col("position");
        var exposures = run.Samples.Where(r => r[src] == "exposure").ToList();
        foreach (var g in exposures.GroupBy(r => L(r[exp]) > 0))
        {
            double clicks = g.Sum(r => D(r[click]));
            double expected = g.Sum(r => D(r[ctr]) * MarketSimulator.PositionBias((int)L(r[pos])));
            Assert.InRange(clicks, expected - 4 * Math.Sqrt(expected) - 1, expected + 4 * Math.Sqrt(expected) + 1);
            if (!g.Key) continue;
            Assert.True(g.Count() > 150, $"only {g.Count()} repeated exposures");
            double withoutFatigue = g.Sum(r =>
            {
                double p = D(r[ctr]), logit = Math.Log(p / (1 - p)) + TruthModel.FatiguePerExposure * L(r[exp]);
                return TruthModel.Sigmoid(logit) * MarketSimulator.PositionBias((int)L(r[pos]));
            });
            Assert.True(clicks < 0.75 * withoutFatigue, $"{clicks} clicks on repeats vs {withoutFatigue:F1} without fatigue");
        }
        double firstCtr = exposures.Where(r => r[exp] == "0").Average(r => D(r[ctr]));
        double repeatCtr = exposures.Where(r => r[exp] != "0").Average(r => D(r[ctr]));
        Assert.True(repeatCtr < 0.95 * firstCtr, $"true CTR {repeatCtr:F4} on repeats vs {firstCtr:F4} on first exposures");
    }

    [Fact]
    public void ConversionsOnlyAfterClicksWithPositiveDelays()
    {
        int click = run.Col("click"), conv = run.Col("conversion"), delay = run.Col("conv_delay_s");
        long conversions = 0;
        foreach (var r in run.Samples)
        {
            if (r[conv] == "1")
            {
                conversions++;
                if (r[click] != "1" || L(r[delay]) <= 0) Assert.Fail($"conversion without click or delay: {string.Join(',', r)}");
            }
            else if (r[delay] != "0") Assert.Fail($"delay without conversion: {string.Join(',', r)}");
        }
        Assert.True(conversions > 50);
    }

    [Fact]
    public void RankedButNotShownRowsHaveLowerEcpmThanShownOnes()
    {
        int req = run.Col("request_id"), src = run.Col("source"), ecpm = run.Col("ecpm"), rank = run.Col("rank"), pos = run.Col("position");
        int adCol = run.Col("ad_id");
        int checkedRequests = 0;
        foreach (var g in run.Samples.GroupBy(r => r[req]))
        {
            var shown = g.Where(r => r[src] == "exposure").ToList();
            var ranked = g.Where(r => r[src] == "ranking").ToList();
            var retrieved = g.Where(r => r[src] == "retrieval").ToList();
            Assert.Equal(["1", "2", "3"], shown.Select(r => r[pos]));
            Assert.Equal(g.Count(), g.Select(r => r[adCol]).Distinct().Count()); // a pool holds distinct ads
            Assert.Equal(shown.Select(r => r[rank]), shown.Select(r => r[pos]));
            double minShown = shown.Min(r => D(r[ecpm]));
            foreach (var r in ranked)
            {
                Assert.True(D(r[ecpm]) <= minShown, $"request {g.Key}: ranked ecpm {r[ecpm]} above shown {minShown}");
                Assert.Equal("0", r[pos]);
            }
            Assert.Equal(Enumerable.Range(1, shown.Count + ranked.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)),
                shown.Concat(ranked).Select(r => r[rank]));
            Assert.All(retrieved, r => { Assert.Equal("0", r[rank]); Assert.Equal(0.0, D(r[ecpm])); });
            Assert.All(ranked.Concat(shown), r => Assert.True(D(r[ecpm]) > 0));
            checkedRequests++;
        }
        Assert.Equal(run.Summary.Requests, checkedRequests);
    }

    [Fact]
    public void SequencesAreNewestLastAndMatchTheBehaviourLog()
    {
        int user = run.Col("user_id"), ts = run.Col("ts"), ads = run.Col("hist_ads"), times = run.Col("hist_ts"), cats = run.Col("hist_cats");
        int req = run.Col("request_id"), day = run.Col("day");
        var log = run.Behaviours.GroupBy(b => b[0]).ToDictionary(g => g.Key, g => g.Select(b => (Ts: L(b[1]), Ad: b[2], Cat: b[3])).ToList());
        var adCategory = run.Ads.ToDictionary(a => a[0], a => a[2]);
        var firstRequest = new Dictionary<string, string>(); // user/day → request id of its first request
        int compared = 0;
        string? previous = null;
        foreach (var r in run.Samples)
        {
            // All rows of a request copy the same user/context/history columns: check each request once.
            if (r[req] == previous) continue;
            previous = r[req];
            var a = r[ads].Length == 0 ? [] : r[ads].Split('|');
            var g = r[times].Length == 0 ? [] : r[times].Split('|');
            var c = r[cats].Length == 0 ? [] : r[cats].Split('|');
            // Plain checks in the loop (millions of elements), one assertion with the first offending row.
            bool ok = a.Length == g.Length && a.Length == c.Length && a.Length <= SimRunFixture.Options.HistoryLength;
            long now = L(r[ts]);
            for (int i = 0; ok && i < a.Length; i++)
                ok = adCategory[a[i]] == c[i] && L(g[i]) < now && (i == 0 || L(g[i]) >= L(g[i - 1])); // newest last
            if (!ok) Assert.Fail($"bad sequence in request {r[req]}: ads {r[ads]}, cats {r[cats]}, times {r[times]}");
            // The first request of each user-day sees exactly the organic log: the newest L behaviours before it,
            // within the 7-day lookback.
            string key = r[user] + "/" + r[day];
            if (!firstRequest.TryAdd(key, r[req]) && firstRequest[key] != r[req]) continue;
            long t = L(r[ts]);
            long lookbackStart = SimulatorOptions.Epoch + (L(r[day]) - UserModel.LookbackDays) * 86400;
            var expected = log.TryGetValue(r[user], out var list)
                ? list.Where(b => b.Ts < t && b.Ts >= lookbackStart).TakeLast(SimRunFixture.Options.HistoryLength).ToList() : [];
            Assert.Equal(expected.Select(b => b.Ad), a);
            Assert.Equal(expected.Select(b => b.Ts.ToString(CultureInfo.InvariantCulture)), g);
            compared++;
        }
        Assert.True(compared > 1000);
    }

    [Fact]
    public void EventsAreOrderedAndBudgetsBind()
    {
        long prev = 0;
        var kinds = new HashSet<string>();
        foreach (var e in run.Events)
        {
            long t = L(e[0]);
            kinds.Add(e[2]);
            // Advertiser actions sit on 15-min slot starts; exhaustion is logged at the click time.
            // Sessions run in the order of their start slot and last up to 7 gaps of ≤ 120 s.
            Assert.True(t >= prev - AdMarket.SlotSeconds - 7 * 120, $"event at {t} after {prev}");
            prev = Math.Max(prev, t);
        }
        Assert.Contains("bid_constraint", kinds);
        Assert.Contains("budget", kinds);
        Assert.Contains("pause", kinds);
        Assert.Contains("resume", kinds);
        Assert.Contains("budget_exhausted", kinds);
        Assert.Contains("budget_reset", kinds);
        int bl = run.Col("budget_left_ratio"), tl = run.Col("time_left_ratio");
        var bad = run.Samples.FirstOrDefault(r => D(r[bl]) is < 0 or > 1 || D(r[tl]) is < 0 or > 1);
        Assert.True(bad is null, bad is null ? "" : $"ratio out of [0, 1]: {string.Join(',', bad)}");
    }

    [Fact]
    public void BidTypesAndCandidatePoolsAreAsDocumented()
    {
        int bt = run.Col("bid_type"), src = run.Col("source");
        var types = run.Samples.Select(r => r[bt]).ToHashSet();
        Assert.Equal(new HashSet<string> { "ocpc", "max_return", "multi_constrained" }, types);
        // 64-ad pools, 16 ranked, 8 retrieved-only rows written per request.
        Assert.Equal(run.Summary.Requests * 13, run.Samples.Count(r => r[src] == "ranking"));
        Assert.Equal(run.Summary.Requests * 8, run.Samples.Count(r => r[src] == "retrieval"));
    }

    [Fact]
    public void BidsAndEcpmFollowTheBidTypeFormulas()
    {
        // docs/design/simulator.md §5, recomputed from the row's own columns (which are rounded: 4 decimals for
        // money and ratios, 6 for probabilities), so the tolerance is relative 2e-3 plus 2e-4 absolute.
        int src = run.Col("source"), bt = run.Col("bid_type"), con = run.Col("bid_constraint"), bl = run.Col("budget_left_ratio");
        int tl = run.Col("time_left_ratio"), db = run.Col("default_bid"), pctr = run.Col("pctr"), pcvr = run.Col("pcvr");
        int bid = run.Col("bid"), ecpm = run.Col("ecpm");
        int n = 0;
        foreach (var r in run.Samples)
        {
            if (r[src] == "retrieval") continue;
            double pace = Math.Clamp((D(r[bl]) + 0.1) / (D(r[tl]) + 0.1), 0.5, 1.5);
            double expected = r[bt] switch
            {
                "ocpc" => D(r[con]) * D(r[pcvr]) * pace,
                "max_return" => Math.Min(D(r[con]), D(r[db]) * pace),
                _ => Math.Min(D(r[con]) * D(r[pcvr]), 2 * D(r[db])) * pace,
            };
            Assert.True(Math.Abs(D(r[bid]) - expected) <= 2e-3 * expected + 2e-4, $"{r[bt]} bid {r[bid]} vs {expected}");
            double e = D(r[pctr]) * D(r[bid]) * 1000;
            Assert.True(Math.Abs(D(r[ecpm]) - e) <= 2e-3 * e + 0.01, $"ecpm {r[ecpm]} vs {e}");
            n++;
        }
        Assert.True(n > 10_000);
    }
}
