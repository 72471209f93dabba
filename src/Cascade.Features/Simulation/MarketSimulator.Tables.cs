namespace Cascade.Features.Simulation;

public sealed partial class MarketSimulator
{
    /// <summary>users.csv: one row per user id, derived on the fly (streaming, no per-user storage).</summary>
    private void WriteUsers(Stream stream)
    {
        using var w = new Utf8CsvWriter(stream);
        w.WriteHeader(SimulationSchema.Names(SimulationSchema.UserColumns));
        var p = new UserProfile();
        for (int u = 0; u < _o.Users; u++)
        {
            _users.Derive(u, p);
            w.WriteInt32(u); w.Comma();
            w.WriteInt32(p.Age); w.Comma();
            w.WriteInt32(p.Gender); w.Comma();
            w.WriteInt32(p.Occupation); w.Comma();
            w.WriteInt32(p.CityTier); w.Comma();
            w.WriteInt32(p.MainDevice); w.Comma();
            w.WriteFixed(p.Activity, 4); w.Comma();
            for (int f = 0; f < p.FacetCount; f++) { if (f > 0) w.Byte((byte)'|'); w.WriteInt32(p.FacetCategory[f]); }
            w.Comma();
            for (int f = 0; f < p.FacetCount; f++) { if (f > 0) w.Byte((byte)'|'); w.WriteFixed(p.FacetWeight[f], 4); }
            w.Comma();
            for (int f = 0; f < p.FacetCount * UserProfile.TagsPerFacet; f++) { if (f > 0) w.Byte((byte)'|'); w.WriteInt32(p.FacetTags[f]); }
            w.NewLine();
        }
    }

    /// <summary>ads.csv: one row per ad with its state at the start of day 0 and its ground-truth terms.</summary>
    private void WriteAds(Stream stream)
    {
        using var w = new Utf8CsvWriter(stream);
        w.WriteHeader(SimulationSchema.Names(SimulationSchema.AdColumns));
        var b = new ByteBuilder();
        for (int ad = 0; ad < _market.Count; ad++)
        {
            int adv = _market.Advertiser[ad];
            w.WriteInt32(ad); w.Comma();
            w.WriteInt32(adv); w.Comma();
            w.WriteInt32(_market.Category[ad]); w.Comma();
            var tags = _market.TagsOf(ad);
            for (int i = 0; i < tags.Length; i++) { if (i > 0) w.Byte((byte)'|'); w.WriteInt32(tags[i]); }
            w.Comma();
            w.WriteAscii(BidTypeName(_market.Bid[ad])); w.Comma();
            w.WriteFixed(_market.BidConstraint[ad], 4); w.Comma();
            w.WriteFixed(_market.DailyBudget[ad], 4); w.Comma();
            w.WriteFixed(_market.DefaultBid[ad], 4); w.Comma();
            w.WriteFixed(_market.Quality[ad], 4); w.Comma();
            w.WriteFixed(_market.AdvertiserCvrBias[adv], 4); w.Comma();
            w.WriteFixed(_market.AdvertiserDelayMean[adv], 1); w.Comma();
            b.Clear();
            AppendContent(b, ad);
            w.WriteBytes(b.Span);
            w.NewLine();
        }
    }

    /// <summary>
    /// behaviours.csv: every user's organic behaviours from day −LookbackDays to the last day, sorted by user then
    /// time; the sequences in samples.csv are suffixes of these (plus the session's own clicks).
    /// </summary>
    private long WriteBehaviours(Stream stream)
    {
        using var w = new Utf8CsvWriter(stream);
        w.WriteHeader(SimulationSchema.Names(SimulationSchema.BehaviourColumns));
        var p = new UserProfile();
        Span<int> ads = stackalloc int[64];
        Span<long> ts = stackalloc long[64];
        long rows = 0;
        for (int u = 0; u < _o.Users; u++)
        {
            _users.Derive(u, p);
            for (int day = -UserModel.LookbackDays; day < _o.Days; day++)
            {
                int n = _users.OrganicDay(p, day, ads, ts);
                for (int i = 0; i < n; i++)
                {
                    int ad = ads[i];
                    w.WriteInt32(u); w.Comma();
                    w.WriteInt64(ts[i]); w.Comma();
                    w.WriteInt32(ad); w.Comma();
                    w.WriteInt32(_market.Category[ad]); w.Comma();
                    w.WriteInt32(_market.Advertiser[ad]); w.NewLine();
                }
                rows += n;
            }
        }
        return rows;
    }
}
