using Cascade.Features.Encoders;

namespace Cascade.Features.Data;

/// <summary>A learning-to-rank pair: the better sample and the worse one (a dataset row, or a corpus item id for easy pairs).</summary>
/// <param name="Better">Dataset row of the preferred sample.</param>
/// <param name="Worse">Dataset row (hard pairs) or corpus item id (easy pairs) of the other.</param>
public readonly record struct RankPair(int Better, int Worse);

/// <summary>
/// BAR learning-to-rank pairs from cascade logs. Hard pairs: within one request, an impression (source Exposure)
/// is preferred to an ad that was ranked but not shown (source Ranking); these teach the fine order near the top.
/// Easy pairs: an ad of the session (an impression) is preferred to a random ad of the whole corpus; these teach
/// the coarse order retrieval needs. Groups are request ids given per dataset row.
/// </summary>
public static class LtrPairSampler
{
    /// <summary>All (exposure, ranked-not-shown) pairs inside each request, at most <paramref name="maxPerRequest"/> per request (seeded choice).</summary>
    public static List<RankPair> HardPairs(ColumnarDataset data, ReadOnlySpan<int> requestIds, int maxPerRequest, ulong seed)
    {
        if (requestIds.Length != data.Count) throw new ArgumentException($"{requestIds.Length} request ids for {data.Count} rows.", nameof(requestIds));
        var groups = new Dictionary<int, (List<int> Shown, List<int> Ranked)>();
        for (int i = 0; i < data.Count; i++)
        {
            var src = (SampleSource)data.Sources[i];
            if (src == SampleSource.Retrieval) continue;
            if (!groups.TryGetValue(requestIds[i], out var g)) groups[requestIds[i]] = g = ([], []);
            (src == SampleSource.Exposure ? g.Shown : g.Ranked).Add(i);
        }
        var rng = new FeatureRng(seed);
        var pairs = new List<RankPair>();
        var all = new List<RankPair>();
        foreach (var key in groups.Keys.Order())
        {
            var (shown, ranked) = groups[key];
            all.Clear();
            foreach (int s in shown) foreach (int r in ranked) all.Add(new RankPair(s, r));
            if (all.Count > maxPerRequest)
            {
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all);
                rng.Shuffle(span);
                all.RemoveRange(maxPerRequest, all.Count - maxPerRequest);
            }
            pairs.AddRange(all);
        }
        return pairs;
    }

    /// <summary>For each impression row, <paramref name="perImpression"/> pairs against random corpus ids in 1..corpusSize−1, excluding the row's own ad id.</summary>
    public static List<RankPair> EasyPairs(ColumnarDataset data, ReadOnlySpan<int> adIds, int corpusSize, int perImpression, ulong seed)
    {
        if (adIds.Length != data.Count) throw new ArgumentException($"{adIds.Length} ad ids for {data.Count} rows.", nameof(adIds));
        var sampler = NegativeSampler.Uniform(corpusSize, seed);
        var pairs = new List<RankPair>();
        for (int i = 0; i < data.Count; i++)
        {
            if ((SampleSource)data.Sources[i] != SampleSource.Exposure) continue;
            for (int k = 0; k < perImpression; k++) pairs.Add(new RankPair(i, sampler.Next(adIds[i])));
        }
        return pairs;
    }
}
