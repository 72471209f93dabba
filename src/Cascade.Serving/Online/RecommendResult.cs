namespace Cascade.Serving.Online;

/// <summary>One ad of a response with the score it got at every stage.</summary>
/// <param name="AdId">Ad id.</param>
/// <param name="RetrievalScore">Similarity in the retrieval index (1 − distance).</param>
/// <param name="PrerankScore">Pre-ranking model score (logit or probability, per the model).</param>
/// <param name="PCtr">Ranking model click probability.</param>
/// <param name="Bid">Bid per click.</param>
/// <param name="Ecpm">eCPM = pCTR × bid × 1000.</param>
/// <param name="Price">Generalised second price per click: next eCPM / (pCTR × 1000), capped at the bid.</param>
public readonly record struct RecommendedAd(long AdId, float RetrievalScore, float PrerankScore, float PCtr, double Bid, double Ecpm, double Price);

/// <summary>Milliseconds spent per stage of one request.</summary>
public record struct StageTimings(double EncodeMs, double RetrievalMs, double PrerankMs, double RankMs, double AuctionMs, double TotalMs);

/// <summary>The winners of one request, the stage funnel sizes and timings.</summary>
public sealed record RecommendResult(IReadOnlyList<RecommendedAd> Ads, int Retrieved, int Preranked, int Ranked, StageTimings Timings);
