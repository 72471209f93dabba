using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Index;
using Cascade.Models;
using Cascade.Serving.Bundles;
using Cascade.Tensors;

namespace Cascade.Serving.Online;

/// <summary>
/// The online cascade of DESIGN.md §1 over a loaded bundle: encode the request with the training encoder →
/// retrieval (HNSW top-K over retrieval ad embeddings, eligible ads only) → pre-ranking (two-tower Score on cached ad
/// representations, top-N) → ranking (pCTR model, top-M by eCPM) → auction (eCPM = pCTR × bid × 1000, skips
/// paused ads and ads without budget, generalised second price). Thread-safe: requests take a pooled scratch
/// (batches, arena, buffers), so steady-state requests reuse memory; ad state is swapped atomically by the
/// near-line updater (<see cref="Apply"/>).
/// </summary>
public sealed partial class CascadeEngine
{
    private readonly LoadedBundle _bundle;
    private readonly ITwoTowerModel _retrieval, _prerank;
    private readonly CtrModel _rank;
    private readonly SplitCtrScorer? _rankSplit;
    private readonly IRepresentationScorer? _prerankScorer;
    private readonly RowAssembler _assembler;
    private readonly AdTable _ads = new();
    private readonly ExactRetriever? _exact;
    private readonly ConcurrentBag<Scratch> _pool = new();
    private readonly Func<long, bool> _eligible;
    private readonly int _prerankSize;
    private readonly int[] _prerankShape;

    /// <summary>
    /// Builds the engine over <paramref name="bundle"/> with stage sizes and stage models from <paramref name="options"/>.
    /// Throws <see cref="ArgumentException"/> naming the YAML file and key when a named model is not in the bundle
    /// (the message lists the stage's models) or when a stage holds several models and the YAML names none.
    /// </summary>
    public CascadeEngine(LoadedBundle bundle, ServingOptions options)
    {
        _bundle = bundle;
        Options = options.Validate();
        string where = options.Source is null ? "" : options.Source + ": ";
        LoadedStageModel Pick(string stage, string? name)
        {
            try { return bundle.Select(stage, name); }
            catch (ArgumentException e) { throw new ArgumentException(where + e.Message, e); }
        }
        var retrieval = Pick("retrieval", options.RetrievalModel);
        var prerank = Pick("prerank", options.PrerankModel);
        var rank = Pick("rank", options.RankModel);
        StageModels = [retrieval.Entry, prerank.Entry, rank.Entry];
        _retrieval = (ITwoTowerModel)retrieval.Model;
        _prerank = (ITwoTowerModel)prerank.Model;
        _rank = rank.Model;
        _rankSplit = options.SplitScoring ? (_rank as ISplitCtrModel)?.CreateSplitScorer() : null;
        _prerankScorer = options.SplitScoring ? _prerank as IRepresentationScorer : null;
        Index = retrieval.Index!;
        _assembler = new RowAssembler(bundle.Encoder.Layout);
        Validator = new FeatureValidator(bundle.Encoder.Schema);
        _prerankShape = prerank.Entry.AdRepresentationShape;
        _prerankSize = prerank.RepresentationSize;
        EmptyRow = new EncodedRow(bundle.Encoder.Layout);
        var primaryPrerank = bundle.Select("prerank", null, primary: true);
        var states = new AdState[bundle.Ads.Count];
        for (int i = 0; i < states.Length; i++)
        {
            var ad = bundle.Ads[i];
            // Another pre-ranker than the primary one: its own cached representations (row i = ad i).
            states[i] = ReferenceEquals(prerank, primaryPrerank) ? ad
                : ad with { PrerankRepresentation = prerank.Representations!.AsSpan(i * _prerankSize, _prerankSize).ToArray() };
        }
        AttachRankCaches(states);
        foreach (var state in states) _ads.Set(state);
        _eligible = _ads.IsEligible;
        if (Options.RetrievalMethod == RetrievalMethod.Exact)
        {
            // The exact scan reads the same normalised embeddings as the HNSW graph (the index vectors).
            _exact = new ExactRetriever(Index.Dimensions, bundle.Ads.Count + 1024);
            var v = new float[Index.Dimensions];
            foreach (var ad in bundle.Ads)
            {
                Index.GetVector(ad.Id, v);
                _exact.Upsert(ad.Id, v, ad.Eligible);
            }
        }
    }

    /// <summary>The manifest entries of the models serving retrieval, pre-ranking and ranking, in that order.</summary>
    public IReadOnlyList<StageModel> StageModels { get; }

    /// <summary>Stage sizes and limits.</summary>
    public ServingOptions Options { get; }
    /// <summary>Request/ad column checks.</summary>
    public FeatureValidator Validator { get; }
    /// <summary>The live retrieval index (of the selected retrieval model).</summary>
    public HnswIndex Index { get; }
    /// <summary>The bundle served.</summary>
    public LoadedBundle Bundle => _bundle;
    /// <summary>Ads known to the server (including paused ones).</summary>
    public int AdCount => _ads.Count;
    private EncodedRow EmptyRow { get; }

    /// <summary>The current state of an ad, or null.</summary>
    public AdState? GetAd(long id) => _ads.Get(id);

    /// <summary>
    /// Runs the cascade for one request. <paramref name="features"/> are user and context columns (validate them with
    /// <see cref="Validator"/> first); <paramref name="count"/> winners are returned. Honors cancellation between stages.
    /// </summary>
    public RecommendResult Recommend(IReadOnlyDictionary<string, object?> features, int count, CancellationToken cancellation = default)
    {
        long t0 = Stopwatch.GetTimestamp();
        if (!_pool.TryTake(out var s)) s = new Scratch(this);
        try
        {
            using var noGrad = Autograd.NoGrad();
            using var arena = s.Arena.Activate();
            _bundle.Encoder.EncodeRequest(features, s.Raw, s.User);
            RowAssembler.Reset(s.Batch);
            _assembler.Append(s.Batch, s.User, EmptyRow);
            var userInput = s.Input(ref s.UserInput, _bundle.Encoder.Layout);
            var retrievalUser = _retrieval.EncodeUser(userInput); // (1, D)
            var prerankUser = _prerank.EncodeUser(userInput);     // (1, ...)
            _rankSplit?.EncodeUser(userInput, s.RankUser);        // request part of the ranking score, once
            long t1 = Stopwatch.GetTimestamp();

            var query = s.Query.AsSpan(0, retrievalUser.Size);
            retrievalUser.Span.CopyTo(query);
            Bundles.Bundle.NormalizeInPlace(query);
            int k = Retrieve(s, query);
            cancellation.ThrowIfCancellationRequested();
            long t2 = Stopwatch.GetTimestamp();

            int n = Prerank(s, prerankUser, k);
            cancellation.ThrowIfCancellationRequested();
            long t3 = Stopwatch.GetTimestamp();

            int m = Rank(s, n);
            cancellation.ThrowIfCancellationRequested();
            long t4 = Stopwatch.GetTimestamp();

            var winners = Auction(s, m, count);
            long t5 = Stopwatch.GetTimestamp();
            static double Ms(long a, long b) => (b - a) * 1000.0 / Stopwatch.Frequency;
            return new RecommendResult(winners, k, n, m, new StageTimings(Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t3, t4), Ms(t4, t5), Ms(t0, t5)));
        }
        finally
        {
            _pool.Add(s);
        }
    }

    /// <summary>
    /// Retrieval stage alone, without the eligibility filter: the ids of the top <paramref name="k"/> ads for the request
    /// (for recall measurements against logged clicks).
    /// </summary>
    public long[] RetrieveIds(IReadOnlyDictionary<string, object?> features, int k)
    {
        if (!_pool.TryTake(out var s)) s = new Scratch(this);
        try
        {
            using var noGrad = Autograd.NoGrad();
            using var arena = s.Arena.Activate();
            _bundle.Encoder.EncodeRequest(features, s.Raw, s.User);
            RowAssembler.Reset(s.Batch);
            _assembler.Append(s.Batch, s.User, EmptyRow);
            var user = _retrieval.EncodeUser(ModelInput.FromBatch(s.Batch, _bundle.Encoder.Layout));
            var query = user.Span.ToArray();
            Bundles.Bundle.NormalizeInPlace(query);
            if (_exact is null) return Index.Search(query, k, Math.Max(k, Options.RetrievalEf)).Select(h => h.Id).ToArray();
            var hits = new SearchResult[k];
            int n = _exact.Search(query, k, hits, eligibleOnly: false, s.Exact);
            return hits.Take(n).Select(h => h.Id).ToArray();
        }
        finally
        {
            _pool.Add(s);
        }
    }

    // Retrieval: top-K by the retrieval model's user embedding (HNSW graph search or the exact scan); ineligible ads
    // are skipped during the search.
    private int Retrieve(Scratch s, ReadOnlySpan<float> query)
    {
        int k = Options.RetrievalK;
        int ef = Math.Max(k, Options.RetrievalEf);
        int found = _exact is not null ? _exact.Search(query, k, s.Hits, Options.FilterEligible, s.Exact)
            : Options.FilterEligible ? Index.Search(query, k, ef, s.Hits, _eligible) : Index.Search(query, k, ef, s.Hits);
        int kept = 0;
        for (int i = 0; i < found; i++)
        {
            // The ad may have been deleted between the search and now; skip it rather than fail the request.
            if (_ads.Get(s.Hits[i].Id) is not { } ad) continue;
            s.Candidates[kept] = ad;
            s.RetrievalScore[kept] = 1f - s.Hits[i].Distance;
            kept++;
        }
        return kept;
    }

    // Pre-ranking: the user representation against the K cached ad representations, straight from spans when the
    // model can (IRepresentationScorer), else tiled K times into one batched Score.
    private int Prerank(Scratch s, Tensor user, int k)
    {
        if (k == 0) return 0;
        ReadOnlySpan<float> scores;
        if (_prerankScorer is not null)
        {
            for (int i = 0; i < k; i++) s.CandidateReps[i] = s.Candidates[i].PrerankRepresentation;
            _prerankScorer.ScoreRepresentations(user.Span, s.CandidateReps.AsSpan(0, k), s.PrerankScores.AsSpan(0, k));
            scores = s.PrerankScores.AsSpan(0, k);
        }
        else scores = PrerankBatched(user, s, k);
        // Top N of K by a bounded heap: O(K log N) and only the survivors get sorted.
        int n = TopByHeap(s.Heap, scores, Math.Min(Options.PrerankN, k));
        for (int j = 0; j < n; j++)
        {
            int i = s.Heap.Slots[j];
            s.Stage2[j] = s.Candidates[i];
            s.Stage2Retrieval[j] = s.RetrievalScore[i];
            s.Stage2Prerank[j] = scores[i];
        }
        return n;
    }

    // The reference path: the user tiled K times, the ads copied into one (K, ...) tensor, one Score call.
    private ReadOnlySpan<float> PrerankBatched(Tensor user, Scratch s, int k)
    {
        int userSize = user.Size;
        var userShape = user.ShapeArray; userShape[0] = k;
        var users = Tensor.Empty(userShape);   // (K, ...)
        var userSpan = user.Span;
        var dst = users.Span;
        for (int i = 0; i < k; i++) userSpan.CopyTo(dst.Slice(i * userSize, userSize));
        int[] adShape = [k, .. _prerankShape];
        var ads = Tensor.Empty(adShape);       // (K, ...)
        var adSpan = ads.Span;
        for (int i = 0; i < k; i++) s.Candidates[i].PrerankRepresentation.CopyTo(adSpan.Slice(i * _prerankSize, _prerankSize));
        return _prerank.Score(users, ads).Span; // (K)
    }

    // Ranking: pCTR of the N survivors (split scorer on cached ad parts, or one batched forward); keep the top M by eCPM.
    private int Rank(Scratch s, int n)
    {
        if (n == 0) return 0;
        ReadOnlySpan<float> scores;
        bool logits = true;
        if (_rankSplit is not null)
        {
            for (int i = 0; i < n; i++) s.RankCaches[i] = s.Stage2[i].RankCache ?? throw new InvalidOperationException($"ad {s.Stage2[i].Id} has no ranking cache.");
            _rankSplit.Score(s.RankUser, s.RankCaches.AsSpan(0, n), s.Logits.AsSpan(0, n), s.RankWork);
            scores = s.Logits.AsSpan(0, n);
        }
        else
        {
            RowAssembler.Reset(s.Batch);
            for (int i = 0; i < n; i++) _assembler.Append(s.Batch, s.User, s.Stage2[i].Encoded);
            scores = _rank.Forward(s.Input(ref s.RankInput, _bundle.Encoder.Layout)).Span; // (N)
            logits = _rank.ScoreKind != ScoreKind.Probability;
        }
        var p = s.PCtr.AsSpan(0, n);
        if (!logits) scores.CopyTo(p);
        else System.Numerics.Tensors.TensorPrimitives.Sigmoid(scores, p);
        for (int i = 0; i < n; i++) { s.Ecpm[i] = p[i] * s.Stage2[i].Bid * 1000.0; s.Keys[i] = (float)s.Ecpm[i]; }
        int m = TopByHeap(s.Heap, s.Keys.AsSpan(0, n), Math.Min(Options.RankM, n));
        s.Heap.Slots.CopyTo(s.Order);
        return m;
    }

    // Indices of the `take` largest values of `scores`, best first, left in heap.Slots.
    private static int TopByHeap(TopKHeap heap, ReadOnlySpan<float> scores, int take)
    {
        heap.Reset(take);
        for (int i = 0; i < scores.Length; i++)
            if (scores[i] > heap.Threshold) heap.Push(scores[i], i);
        return heap.DrainDescending();
    }

    // Auction: re-check eligibility (a pause or budget event may have landed during the request), GSP prices.
    private RecommendedAd[] Auction(Scratch s, int m, int count)
    {
        int w = 0;
        Span<int> keep = stackalloc int[m];
        for (int j = 0; j < m; j++)
        {
            int i = s.Order[j];
            var live = GetAd(s.Stage2[i].Id);
            if (live is null || !live.Eligible) continue;
            keep[w++] = i;
        }
        int take = Math.Min(count, w);
        var result = new RecommendedAd[take];
        for (int r = 0; r < take; r++)
        {
            int i = keep[r];
            var ad = s.Stage2[i];
            double next = r + 1 < w ? s.Ecpm[keep[r + 1]] : 0;
            double price = s.PCtr[i] > 0 ? Math.Min(ad.Bid, next / (s.PCtr[i] * 1000.0)) : 0;
            result[r] = new RecommendedAd(ad.Id, s.Stage2Retrieval[i], s.Stage2Prerank[i], s.PCtr[i], ad.Bid, s.Ecpm[i], price);
        }
        return result;
    }

    /// <summary>Per-request buffers, pooled: sized once for K so steady-state requests reuse them.</summary>
    private sealed class Scratch
    {
        public Scratch(CascadeEngine e)
        {
            int k = e.Options.RetrievalK;
            Raw = new RawRow(e._bundle.Encoder.Schema);
            User = new EncodedRow(e._bundle.Encoder.Layout);
            Batch = e._assembler.NewBatch(Math.Max(e.Options.PrerankN, 1));
            Hits = new SearchResult[k];
            Query = new float[e.Index.Dimensions];
            Candidates = new AdState[k];
            RetrievalScore = new float[k];
            Keys = new float[k];
            Order = new int[k];
            Stage2 = new AdState[e.Options.PrerankN];
            Stage2Retrieval = new float[e.Options.PrerankN];
            Stage2Prerank = new float[e.Options.PrerankN];
            PCtr = new float[e.Options.PrerankN];
            Ecpm = new double[e.Options.PrerankN];
            CandidateReps = new float[k][];
            PrerankScores = new float[k];
            RankUser = new float[e._rankSplit?.UserSize ?? 0];
            RankCaches = new float[e.Options.PrerankN][];
            Logits = new float[e.Options.PrerankN];
            RankWork = new float[e._rankSplit?.WorkspaceSize(e.Options.PrerankN) ?? 0];
        }
        public readonly TensorArena Arena = new();
        public readonly TopKHeap Heap = new();
        public readonly ExactRetriever.Scratch Exact = new();
        public ModelInput? UserInput, RankInput;

        // The cached input when the batch has its shape (steady state: no allocation), else a new owned one.
        public ModelInput Input(ref ModelInput? cached, FeatureLayout layout) =>
            cached is not null && cached.TryRefill(Batch) ? cached : cached = ModelInput.FromBatchOwned(Batch, layout);
        public readonly RawRow Raw;
        public readonly EncodedRow User;
        public readonly Batch Batch;
        public readonly SearchResult[] Hits;
        public readonly float[] Query;
        public readonly AdState[] Candidates;
        public readonly float[] RetrievalScore, Keys;
        public readonly int[] Order;
        public readonly AdState[] Stage2;
        public readonly float[] Stage2Retrieval, Stage2Prerank, PCtr;
        public readonly double[] Ecpm;
        public readonly float[][] CandidateReps, RankCaches;
        public readonly float[] PrerankScores, RankUser, Logits, RankWork;
    }
}
