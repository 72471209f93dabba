using Cascade.Models;
using Cascade.Serving.Bundles;
using Cascade.Serving.NearLine;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

public class EngineTests
{
    private static CascadeEngine NewEngine(out LoadedBundle bundle)
    {
        bundle = Bundle.Load(TestBundle.Copy());
        return new CascadeEngine(bundle, TestBundle.Options);
    }

    [Fact]
    public void CascadeFunnelAuctionAndScoresAreConsistent()
    {
        var engine = NewEngine(out var bundle);
        var r = engine.Recommend(TestBundle.User(3), 5);
        Assert.Equal(64, r.Retrieved);
        Assert.Equal(24, r.Preranked);
        Assert.Equal(8, r.Ranked);
        Assert.Equal(5, r.Ads.Count);
        for (int i = 0; i < r.Ads.Count; i++)
        {
            var a = r.Ads[i];
            var state = engine.GetAd(a.AdId)!;
            Assert.True(state.Eligible);
            Assert.Equal(a.PCtr * state.Bid * 1000, a.Ecpm, 6);
            Assert.InRange(a.Price, 0, a.Bid);
            if (i > 0) Assert.True(r.Ads[i - 1].Ecpm >= a.Ecpm);
        }
        // pCTR equals the ranking model's Predict on the assembled (user, ad) row, built independently.
        var top = engine.GetAd(r.Ads[0].AdId)!;
        var assembler = new RowAssembler(bundle.Encoder.Layout);
        var batch = assembler.NewBatch(1);
        var user = new Cascade.Features.Encoders.EncodedRow(bundle.Encoder.Layout);
        bundle.Encoder.EncodeRequest(TestBundle.User(3), new Cascade.Features.Encoders.RawRow(bundle.Encoder.Schema), user);
        assembler.Append(batch, user, top.Encoded);
        float p = bundle.Rank.Predict(ModelInput.FromBatch(batch, bundle.Encoder.Layout))[0];
        Assert.Equal(p, r.Ads[0].PCtr, 5);
    }

    [Fact]
    public void PausedAndBudgetlessAdsNeverWin()
    {
        var engine = NewEngine(out _);
        var seen = new HashSet<long>();
        for (int u = 0; u < 40; u++) foreach (var a in engine.Recommend(TestBundle.User(u), 20).Ads) seen.Add(a.AdId);
        Assert.DoesNotContain(seen, id => (id - 1) % 50 == 49); // paused in the bundle
        long winner = engine.Recommend(TestBundle.User(7), 1).Ads[0].AdId;
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Budget, winner, 2, Budget: 0)));
        Assert.DoesNotContain(engine.Recommend(TestBundle.User(7), 20).Ads, a => a.AdId == winner);
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Budget, winner, 3, Budget: 50)));
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Pause, winner, 4)));
        Assert.DoesNotContain(engine.Recommend(TestBundle.User(7), 20).Ads, a => a.AdId == winner);
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Resume, winner, 5)));
        Assert.Equal(winner, engine.Recommend(TestBundle.User(7), 1).Ads[0].AdId);
    }

    [Fact]
    public void EventsAreIdempotentByVersion()
    {
        var engine = NewEngine(out _);
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Bid, 10, 5, Bid: 2.5)));
        Assert.Equal(ApplyOutcome.Stale, engine.Apply(new AdEvent(AdEventKind.Bid, 10, 5, Bid: 9)));
        Assert.Equal(ApplyOutcome.Stale, engine.Apply(new AdEvent(AdEventKind.Bid, 10, 4, Bid: 9)));
        Assert.Equal(2.5, engine.GetAd(10)!.Bid);
        Assert.Equal(ApplyOutcome.UnknownAd, engine.Apply(new AdEvent(AdEventKind.Bid, 99_999, 1, Bid: 1)));
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Delete, 10, 6)));
        Assert.Null(engine.GetAd(10));
        Assert.False(engine.Index.Contains(10));
        // A replayed older upsert cannot resurrect a deleted ad; a newer one can.
        Assert.Equal(ApplyOutcome.Stale, engine.Apply(new AdEvent(AdEventKind.Upsert, 10, 6, 1, 1, TestBundle.AdFeatures(9))));
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Upsert, 10, 7, 1, 1, TestBundle.AdFeatures(9))));
        Assert.True(engine.Index.Contains(10));
    }

    [Fact]
    public void UpsertRecomputesOnlyThatAdAndMatchesOfflineEncoding()
    {
        var engine = NewEngine(out var bundle);
        var before = engine.GetAd(2)!.PrerankRepresentation;
        var features = TestBundle.AdFeatures(123);
        Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Upsert, 5000, 1, 3.0, 10, features)));
        var ad = engine.GetAd(5000)!;
        var (offline, _) = Bundle.EncodeAds(bundle.Encoder, (ITwoTowerModel)bundle.Prerank, [new AdSpec(5000, 3, 10, false, features)]);
        Assert.Equal(offline, ad.PrerankRepresentation);
        Assert.True(engine.Index.Contains(5000));
        Assert.Equal(TestBundle.Ads + 1, engine.Index.Count);
        Assert.Same(before, engine.GetAd(2)!.PrerankRepresentation);
        // The new ad is reachable in the live graph: an exhaustive search (k = every ad) returns it.
        var hits = engine.Index.Search(new float[engine.Index.Dimensions].Select((_, j) => j == 0 ? 1f : 0f).ToArray(), TestBundle.Ads + 1, 400);
        Assert.Contains(hits, h => h.Id == 5000);
    }

    [Fact]
    public void CancellationStopsTheRequest()
    {
        var engine = NewEngine(out _);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => engine.Recommend(TestBundle.User(1), 5, cts.Token));
        Assert.Equal(5, engine.Recommend(TestBundle.User(1), 5).Ads.Count); // the pooled scratch is still usable
    }

    [Fact]
    public void ServingYamlIsValidatedWithFileAndKey()
    {
        var o = ServingOptions.Parse("serving:\n  retrieval: {k: 500, ef: 600}\n  prerank: {n: 100}\n  rank: {m: 10}\n", "s.yaml");
        Assert.Equal((500, 600, 100, 10), (o.RetrievalK, o.RetrievalEf, o.PrerankN, o.RankM));
        Assert.Contains("unknown key 'rank.mm'", Assert.Throws<FormatException>(() => ServingOptions.Parse("rank: {mm: 3}", "s.yaml")).Message);
        Assert.Contains("prerank.n (300) must be ≤ retrieval.k (200)", Assert.Throws<FormatException>(() => ServingOptions.Parse("retrieval: {k: 200}\nprerank: {n: 300}", "s.yaml")).Message);
        Assert.Contains("s.yaml", Assert.Throws<FormatException>(() => ServingOptions.Parse("rank: {m: x}", "s.yaml")).Message);
        Assert.Equal(1, o.GemmThreads); // serving default: one GEMM thread per request
        Assert.Equal(0, ServingOptions.Parse("engine: {gemm_threads: 0}", "s.yaml").GemmThreads);
        Assert.Contains("engine.gemm_threads must be ≥ 0", Assert.Throws<FormatException>(() => ServingOptions.Parse("engine: {gemm_threads: -1}", "s.yaml")).Message);
        foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot(), "configs", "serving"), "*.yaml")) ServingOptions.LoadFile(f);
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Cascade.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("repository root (Cascade.slnx) not found above the test directory.");
    }
}
