using Cascade.Features.Encoders;

namespace Cascade.Serving.Online;

/// <summary>
/// One ad as the server sees it: immutable, replaced as a whole by the near-line updater so a request reads a
/// consistent snapshot without locks. <see cref="PrerankRepresentation"/> is the cached ad side of the pre-ranking
/// model (EncodeAd of this ad, flattened; shape in the bundle manifest).
/// </summary>
/// <param name="Id">Ad id (index key).</param>
/// <param name="Version">Last applied event version; events with a version ≤ this one are ignored (idempotent replay).</param>
/// <param name="Bid">Bid per click in currency units; eCPM = pCTR × bid × 1000.</param>
/// <param name="Budget">Remaining budget; an ad with budget ≤ 0 never enters the auction.</param>
/// <param name="Paused">Paused by the advertiser.</param>
/// <param name="Features">Raw ad-side features (column → string, number or id list), as sent by the advertiser.</param>
/// <param name="Encoded">The encoded ad-side row (user and context slots hold the missing id 0).</param>
/// <param name="PrerankRepresentation">Cached pre-ranking ad representation. // (prod of the rep shape)</param>
/// <param name="RankCache">Cached ad part of the ranking model's split score (<see cref="Cascade.Models.SplitCtrScorer.EncodeAds"/>),
/// or null when the engine ranks with the batched forward. // (AdSize)</param>
public sealed record AdState(long Id, long Version, double Bid, double Budget, bool Paused,
    IReadOnlyDictionary<string, object?> Features, EncodedRow Encoded, float[] PrerankRepresentation, float[]? RankCache = null)
{
    /// <summary>True when the ad may be shown: not paused, positive budget and bid.</summary>
    public bool Eligible => !Paused && Budget > 0 && Bid > 0;
}
