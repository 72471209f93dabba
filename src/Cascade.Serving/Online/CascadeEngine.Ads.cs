using System.Collections.Concurrent;
using Cascade.Features.Encoders;
using Cascade.Models;
using Cascade.Serving.NearLine;
using Cascade.Tensors;

namespace Cascade.Serving.Online;

public sealed partial class CascadeEngine
{
    // Versions of deleted ads, so a replayed or late event of an older version cannot resurrect them.
    private readonly ConcurrentDictionary<long, long> _deleted = new();
    private UpdateScratch? _update;

    /// <summary>
    /// Applies one ad event to the live state: an upsert re-encodes only this ad (retrieval embedding upserted into
    /// HNSW, pre-ranking representation cached); bid, budget, pause and resume swap the ad's state record (eligibility
    /// is a search-time filter, so no graph work); delete removes the ad from the index. Idempotent by version. Call
    /// from one writer thread (the <see cref="NearLineUpdater"/>); requests run concurrently.
    /// </summary>
    public ApplyOutcome Apply(AdEvent e)
    {
        var current = GetAd(e.AdId);
        long seen = current?.Version ?? (_deleted.TryGetValue(e.AdId, out var dv) ? dv : 0);
        if (e.Version <= seen) return ApplyOutcome.Stale;
        switch (e.Kind)
        {
            case AdEventKind.Upsert:
            {
                var (vector, rep, rankCache, row) = EncodeOneAd(e.Features!);
                Index.Upsert(e.AdId, vector);
                var state = new AdState(e.AdId, e.Version, e.Bid!.Value, e.Budget!.Value, current?.Paused ?? false, e.Features!, row, rep, rankCache);
                _exact?.Upsert(e.AdId, vector, state.Eligible);
                _ads.Set(state);
                _deleted.TryRemove(e.AdId, out _);
                return ApplyOutcome.Applied;
            }
            case AdEventKind.Delete:
                if (current is null) return ApplyOutcome.UnknownAd;
                _deleted[e.AdId] = e.Version;
                _ads.Remove(e.AdId);
                Index.TryDelete(e.AdId);
                _exact?.Delete(e.AdId);
                return ApplyOutcome.Applied;
        }
        if (current is null) return ApplyOutcome.UnknownAd;
        var next = e.Kind switch
        {
            AdEventKind.Bid => current with { Bid = e.Bid!.Value, Version = e.Version },
            AdEventKind.Budget => current with { Budget = e.Budget!.Value, Version = e.Version },
            AdEventKind.Pause => current with { Paused = true, Version = e.Version },
            AdEventKind.Resume => current with { Paused = false, Version = e.Version },
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "unknown event kind"),
        };
        _ads.Set(next);
        _exact?.SetEligible(e.AdId, next.Eligible);
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Null when <paramref name="features"/> are ad-side columns that the training encoder can encode, else the error
    /// (checked before an event is logged, so the durable log never holds an event that cannot be applied).
    /// </summary>
    public string? CheckAdFeatures(IReadOnlyDictionary<string, object?> features)
    {
        if (Validator.CheckAd(features) is { } error) return error;
        try
        {
            _bundle.Encoder.EncodeRequest(features, new RawRow(_bundle.Encoder.Schema), new EncodedRow(_bundle.Encoder.Layout));
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException) { return e.Message; }
    }

    // EncodeAd of one ad through both two-tower models and the ranking model's ad cache (B = 1).
    private (float[] Vector, float[] Rep, float[]? RankCache, EncodedRow Row) EncodeOneAd(IReadOnlyDictionary<string, object?> features)
    {
        var u = _update ??= new UpdateScratch(this);
        var row = new EncodedRow(_bundle.Encoder.Layout);
        _bundle.Encoder.EncodeRequest(features, u.Raw, row);
        using var noGrad = Autograd.NoGrad();
        using var arena = u.Arena.Activate();
        RowAssembler.Reset(u.Batch);
        _assembler.Append(u.Batch, EmptyRow, row);
        var input = ModelInput.FromBatch(u.Batch, _bundle.Encoder.Layout);
        var vector = _retrieval.EncodeAd(input).Span.ToArray(); // (D)
        Bundles.Bundle.NormalizeInPlace(vector);
        var rep = _prerank.EncodeAd(input).Span.ToArray();      // (prod of the rep shape)
        if (rep.Length != _prerankSize) throw new InvalidOperationException($"pre-ranking representation has {rep.Length} floats, expected {_prerankSize}.");
        float[]? rankCache = null;
        if (_rankSplit is not null)
        {
            rankCache = new float[_rankSplit.AdSize];
            _rankSplit.EncodeAds(input, rankCache);
        }
        return (vector, rep, rankCache, row);
    }

    // The ranking model's ad caches of many ads (start-up), in batches of 256 rows to bound the temporary buffers.
    private void AttachRankCaches(AdState[] ads)
    {
        if (_rankSplit is null) return;
        const int chunk = 256;
        int size = _rankSplit.AdSize;
        var batch = _assembler.NewBatch(chunk);
        var caches = new float[chunk * size];
        for (int start = 0; start < ads.Length; start += chunk)
        {
            int n = Math.Min(chunk, ads.Length - start);
            RowAssembler.Reset(batch);
            for (int i = 0; i < n; i++) _assembler.Append(batch, EmptyRow, ads[start + i].Encoded);
            _rankSplit.EncodeAds(ModelInput.FromBatch(batch, _bundle.Encoder.Layout), caches);
            for (int i = 0; i < n; i++) ads[start + i] = ads[start + i] with { RankCache = caches.AsSpan(i * size, size).ToArray() };
        }
    }

    private sealed class UpdateScratch(CascadeEngine e)
    {
        public readonly TensorArena Arena = new();
        public readonly RawRow Raw = new(e._bundle.Encoder.Schema);
        public readonly Cascade.Features.Data.Batch Batch = e._assembler.NewBatch(1);
    }
}
