using Cascade.Features.Encoders;
using Cascade.Models;
using Cascade.Serving.Bundles;
using Cascade.Serving.NearLine;
using Cascade.Serving.Online;
using Cascade.Tensors;

namespace Cascade.Serving.Tests;

/// <summary>
/// Split scoring (docs/design/serving.md "Request-path CPU"): DeepFM's request/ad split and HIT's span scorer give the
/// models' own scores, offline and inside the engine, including after near-line upserts refresh the caches.
/// Weights are re-drawn N(0, 0.3²) so every term (linear, FM, each DNN layer) moves the logit: at the seeded
/// initialisation the DNN weights are N(0, 1e-4²) and a wrong DNN split would hide below the tolerance.
/// </summary>
public class SplitScoringTests
{
    // |split − forward| ≤ 2e-5 · (1 + |forward|): float32 sums in another order differ by a few ulps of the terms.
    private static void Close(float expected, float actual, string what) =>
        Assert.True(MathF.Abs(expected - actual) <= 2e-5f * (1f + MathF.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    [Theory]
    [InlineData("relu", "true")]
    [InlineData("tanh", "true")]
    [InlineData("leakyrelu", "false")]
    public void DeepFmSplitScoreEqualsForward(string activation, string useFm)
    {
        var bundle = Bundle.Load(TestBundle.Copy());
        var layout = bundle.Encoder.Layout;
        var model = ModelZoo.Create(layout, new ModelSettings("deepfm",
            new Dictionary<string, string> { ["hidden_units"] = "16,8", ["dropout"] = "0.2", ["activation"] = activation, ["use_fm"] = useFm },
            seed: 5, embeddingDim: 8, embeddingInitStd: 0.1f));
        Randomize(model, 1);
        model.Eval();
        var scorer = ((ISplitCtrModel)model).CreateSplitScorer()!;
        var assembler = new RowAssembler(layout);
        var empty = new EncodedRow(layout);
        var ads = bundle.Ads.Take(30).ToArray();
        var adBatch = assembler.NewBatch(ads.Length);
        foreach (var ad in ads) assembler.Append(adBatch, empty, ad.Encoded);
        var caches = new float[ads.Length * scorer.AdSize];
        scorer.EncodeAds(ModelInput.FromBatch(adBatch, layout), caches);
        var cacheRows = Enumerable.Range(0, ads.Length).Select(i => caches.AsSpan(i * scorer.AdSize, scorer.AdSize).ToArray()).ToArray();
        for (int u = 0; u < 5; u++)
        {
            var user = EncodeUser(bundle, u);
            var both = assembler.NewBatch(ads.Length);
            foreach (var ad in ads) assembler.Append(both, user, ad.Encoded);
            float[] forward;
            using (Autograd.NoGrad()) forward = model.Forward(ModelInput.FromBatch(both, layout)).Span.ToArray();
            var userBatch = assembler.NewBatch(1);
            assembler.Append(userBatch, user, empty);
            var userPart = new float[scorer.UserSize];
            scorer.EncodeUser(ModelInput.FromBatch(userBatch, layout), userPart);
            var logits = new float[ads.Length];
            scorer.Score(userPart, cacheRows, logits, new float[scorer.WorkspaceSize(ads.Length)]);
            Assert.True(forward.Max() - forward.Min() > 0.1f, "the re-drawn weights must spread the logits");
            for (int i = 0; i < ads.Length; i++) Close(forward[i], logits[i], $"user {u} ad {ads[i].Id}");
        }
    }

    [Theory]
    [InlineData(4)]  // TensorPrimitives.Dot
    [InlineData(8)]  // one 256-bit product
    [InlineData(16)] // one 512-bit product (the serving bundle's head size)
    public void HitSpanScoresEqualScore(int headDim)
    {
        var bundle = Bundle.Load(TestBundle.Copy());
        var layout = bundle.Encoder.Layout;
        var hit = ModelZoo.Create(layout, HitSettings(headDim));
        Randomize(hit, 2);
        hit.Eval();
        var tower = (ITwoTowerModel)hit;
        var assembler = new RowAssembler(layout);
        var empty = new EncodedRow(layout);
        var ads = bundle.Ads.Take(40).ToArray();
        var user = EncodeUser(bundle, 3);
        var rows = assembler.NewBatch(ads.Length);
        foreach (var ad in ads) assembler.Append(rows, user, ad.Encoded);
        using var _ = Autograd.NoGrad();
        var input = ModelInput.FromBatch(rows, layout);
        var users = tower.EncodeUser(input);  // (B, J, z), every row the same user
        var adReps = tower.EncodeAd(input);   // (B, J, z)
        var expected = tower.Score(users, adReps).Span.ToArray();
        int per = adReps.Size / ads.Length;
        var adRows = Enumerable.Range(0, ads.Length).Select(i => adReps.Span.Slice(i * per, per).ToArray()).ToArray();
        var scores = new float[ads.Length];
        ((IRepresentationScorer)hit).ScoreRepresentations(users.Span[..per], adRows, scores);
        for (int i = 0; i < ads.Length; i++) Close(expected[i], scores[i], $"ad {ads[i].Id}");
    }

    [Fact]
    public void EngineSplitScoringEqualsBatchedForwardsAndFollowsUpserts()
    {
        var source = TestBundle.CreateSource();
        source = source with { Prerank = new TrainedStage(HitSettings(), ModelZoo.Create(source.Encoder.Layout, HitSettings())) };
        var dir = Path.Combine(Path.GetTempPath(), "cascade-serving-tests-" + Environment.ProcessId, Guid.NewGuid().ToString("N"), "bundle");
        Bundle.Export(source, dir);
        var bundle = Bundle.Load(dir);
        Randomize(bundle.Rank, 3);
        // The cached pre-ranking representations are part of the bundle; the HIT weights stay as exported.
        var split = new CascadeEngine(bundle, TestBundle.Options);
        var batched = new CascadeEngine(bundle, TestBundle.Options with { SplitScoring = false });
        Assert.NotNull(split.GetAd(1)!.RankCache);
        Assert.Null(batched.GetAd(1)!.RankCache);

        void Compare()
        {
            for (int u = 0; u < 8; u++)
            {
                var a = split.Recommend(TestBundle.User(u), 20);
                var b = batched.Recommend(TestBundle.User(u), 20);
                Assert.Equal((b.Retrieved, b.Preranked, b.Ranked), (a.Retrieved, a.Preranked, a.Ranked));
                Assert.Equal(b.Ads.Select(x => x.AdId), a.Ads.Select(x => x.AdId));
                for (int i = 0; i < a.Ads.Count; i++)
                {
                    Close(b.Ads[i].PrerankScore, a.Ads[i].PrerankScore, $"user {u} prerank of ad {a.Ads[i].AdId}");
                    Close(b.Ads[i].PCtr, a.Ads[i].PCtr, $"user {u} pCTR of ad {a.Ads[i].AdId}");
                }
            }
        }
        Compare();

        // Upserts (new features for a live ad and a new ad) refresh the cache; a bid change keeps it.
        foreach (var engine in new[] { split, batched })
        {
            Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Upsert, 2, 5, 4.0, 50, TestBundle.AdFeatures(77))));
            Assert.Equal(ApplyOutcome.Applied, engine.Apply(new AdEvent(AdEventKind.Upsert, 5000, 1, 9.0, 50, TestBundle.AdFeatures(5))));
        }
        var cache = split.GetAd(2)!.RankCache!;
        var scorer = ((ISplitCtrModel)bundle.Rank).CreateSplitScorer()!;
        var assembler = new RowAssembler(bundle.Encoder.Layout);
        var row = assembler.NewBatch(1);
        assembler.Append(row, new EncodedRow(bundle.Encoder.Layout), split.GetAd(2)!.Encoded);
        var offline = new float[scorer.AdSize];
        scorer.EncodeAds(ModelInput.FromBatch(row, bundle.Encoder.Layout), offline);
        Assert.Equal(offline, cache);
        Assert.Equal(ApplyOutcome.Applied, split.Apply(new AdEvent(AdEventKind.Bid, 2, 6, Bid: 5.0)));
        Assert.Same(cache, split.GetAd(2)!.RankCache);
        Assert.Equal(ApplyOutcome.Applied, batched.Apply(new AdEvent(AdEventKind.Bid, 2, 6, Bid: 5.0)));
        Compare();
    }

    internal static ModelSettings HitSettings(int headDim = 4) => new("hit",
        new Dictionary<string, string> { ["tower"] = "16,8", ["batch_norm"] = "false", ["heads"] = "2", ["head_dim"] = headDim.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        seed: 21, embeddingDim: 8, embeddingInitStd: 0.1f);

    private static EncodedRow EncodeUser(LoadedBundle bundle, int u)
    {
        var row = new EncodedRow(bundle.Encoder.Layout);
        bundle.Encoder.EncodeRequest(TestBundle.User(u), new RawRow(bundle.Encoder.Schema), row);
        return row;
    }

    // Every parameter N(0, 0.3²), seeded.
    private static void Randomize(CtrModel model, int seed)
    {
        var rng = new Random(seed);
        foreach (var p in model.Parameters())
        {
            var s = p.Value.Span;
            for (int i = 0; i < s.Length; i++) s[i] = (float)(0.3 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        }
    }
}
