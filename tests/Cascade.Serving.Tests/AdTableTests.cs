using Cascade.Features.Encoders;
using Cascade.Serving.Online;

namespace Cascade.Serving.Tests;

/// <summary>The dense eligibility flags of <see cref="AdTable"/> (the HNSW filter) always agree with the states.</summary>
public class AdTableTests
{
    [Fact]
    public void EligibilityFlagsFollowSetRemoveGrowthAndSparseIds()
    {
        var table = new AdTable();
        var row = new EncodedRow(Cascade.Serving.Bundles.Bundle.Load(TestBundle.Copy()).Encoder.Layout);
        AdState Ad(long id, bool paused = false, double budget = 10, double bid = 1) =>
            new(id, 1, bid, budget, paused, new Dictionary<string, object?>(), row, []);
        var rng = new Random(3);
        var truth = new Dictionary<long, AdState>();
        long[] ids = [.. Enumerable.Range(1, 3000).Select(i => (long)i), AdTable.DenseLimit + 5, AdTable.DenseLimit * 3];
        for (int step = 0; step < 20_000; step++)
        {
            long id = ids[rng.Next(ids.Length)];
            if (rng.Next(5) == 0) { table.Remove(id); truth.Remove(id); }
            else
            {
                // Every way to be ineligible: paused, no budget, no bid.
                var ad = Ad(id, paused: rng.Next(4) == 0, budget: rng.Next(4) == 0 ? 0 : 10, bid: rng.Next(4) == 0 ? 0 : 1);
                table.Set(ad);
                truth[id] = ad;
            }
            if (step % 1000 != 999) continue;
            foreach (long probe in ids.Append(0).Append(-4).Append(5000))
            {
                bool expected = truth.TryGetValue(probe, out var s) && s.Eligible;
                Assert.Equal(expected, table.IsEligible(probe));
                Assert.Equal(truth.ContainsKey(probe), table.Get(probe) is not null);
            }
        }
        Assert.Equal(truth.Count, table.Count);
    }
}
