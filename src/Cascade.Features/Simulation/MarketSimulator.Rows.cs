namespace Cascade.Features.Simulation;

public sealed partial class MarketSimulator
{
    /// <summary>Name of a bid type as written in the CSV files.</summary>
    public static string BidTypeName(BidType t) => t switch
    {
        BidType.Ocpc => "ocpc",
        BidType.MaxReturn => "max_return",
        _ => "multi_constrained",
    };

    /// <summary>
    /// Pre-formats each ad's static columns "ad_id,advertiser_id,category,tags,bid_type," (and, when requested, its
    /// ",content" suffix) once, so that a sample row copies them instead of formatting ~8 numbers.
    /// </summary>
    private (byte[], int[], byte[]?, int[]?) BuildAdStatic(bool withContent)
    {
        int n = _market.Count;
        var b = new ByteBuilder(n * 32);
        var offsets = new int[n + 1];
        for (int ad = 0; ad < n; ad++)
        {
            offsets[ad] = b.Length;
            b.Int(ad); b.Byte((byte)',');
            b.Int(_market.Advertiser[ad]); b.Byte((byte)',');
            b.Int(_market.Category[ad]); b.Byte((byte)',');
            AppendList(b, _market.TagsOf(ad)); b.Byte((byte)',');
            b.Ascii(BidTypeName(_market.Bid[ad])); b.Byte((byte)',');
        }
        offsets[n] = b.Length;
        if (!withContent) return (b.Span.ToArray(), offsets, null, null);
        var c = new ByteBuilder(n * _o.ContentDim * 8);
        var coff = new int[n + 1];
        for (int ad = 0; ad < n; ad++)
        {
            coff[ad] = c.Length;
            c.Byte((byte)',');
            AppendContent(c, ad);
        }
        coff[n] = c.Length;
        return (b.Span.ToArray(), offsets, c.Span.ToArray(), coff);
    }

    private void AppendContent(ByteBuilder b, int ad)
    {
        int dim = _o.ContentDim;
        for (int k = 0; k < dim; k++)
        {
            if (k > 0) b.Byte((byte)'|');
            b.Fixed(_market.Content[ad * dim + k], 4);
        }
    }

    private static void AppendList(ByteBuilder b, ReadOnlySpan<int> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) b.Byte((byte)'|');
            b.Int(values[i]);
        }
    }

    /// <summary>Formats the request's user, context and history columns once; every row of the request copies them.</summary>
    private void FormatPrefix(long requestId, long t, int day, int hour, int device)
    {
        var s = _req;
        var b = s.Prefix;
        var p = s.Profile;
        b.Clear();
        b.Int(requestId); b.Byte((byte)',');
        b.Int(t); b.Byte((byte)',');
        b.Int(day); b.Byte((byte)',');
        b.Int(p.Id); b.Byte((byte)',');
        b.Int(p.Age); b.Byte((byte)',');
        b.Int(p.Gender); b.Byte((byte)',');
        b.Int(p.Occupation); b.Byte((byte)',');
        b.Int(p.CityTier); b.Byte((byte)',');
        b.Int(hour); b.Byte((byte)',');
        b.Int(device); b.Byte((byte)',');
        AppendList(b, s.HistAds.AsSpan(0, s.HistLen)); b.Byte((byte)',');
        for (int i = 0; i < s.HistLen; i++)
        {
            if (i > 0) b.Byte((byte)'|');
            b.Int(_market.Category[s.HistAds[i]]);
        }
        b.Byte((byte)',');
        for (int i = 0; i < s.HistLen; i++)
        {
            if (i > 0) b.Byte((byte)'|');
            b.Int(t - s.HistTs[i]);
        }
        b.Byte((byte)',');
    }

    private void WriteRow(int i, byte[] source, int rank, int position, int click, int conversion, long delay, double timeLeft)
    {
        if (_out is not { } w) return;
        var s = _req;
        int ad = s.Pool[i];
        var (bytes, offsets, content, contentOffsets) = _adStatic;
        w.WriteBytes(s.Prefix.Span);
        w.WriteBytes(bytes.AsSpan(offsets[ad], offsets[ad + 1] - offsets[ad]));
        w.WriteFixed(_market.BidConstraint[ad], 4); w.Comma();
        w.WriteFixed(_market.BudgetLeftRatio(ad), 4); w.Comma();
        w.WriteFixed(timeLeft, 4); w.Comma();
        w.WriteFixed(_market.DefaultBid[ad], 4); w.Comma();
        w.WriteInt32(s.Exposure[i]); w.Comma();
        w.WriteBytes(source); w.Comma();
        w.WriteInt32(rank); w.Comma();
        w.WriteInt32(position); w.Comma();
        w.WriteFixed(s.RetScore[i], 4); w.Comma();
        w.WriteFixed(s.Pctr[i], 6); w.Comma();
        w.WriteFixed(s.Pcvr[i], 6); w.Comma();
        w.WriteFixed(s.BidValue[i], 4); w.Comma();
        w.WriteFixed(s.Ecpm[i], 4); w.Comma();
        w.WriteInt32(click); w.Comma();
        w.WriteInt32(conversion); w.Comma();
        w.WriteInt64(delay); w.Comma();
        w.WriteFixed(TruthModel.Sigmoid(s.CtrLogit[i]), 6); w.Comma();
        w.WriteFixed(TruthModel.Sigmoid(s.CvrLogit[i]), 6);
        if (content is not null) w.WriteBytes(content.AsSpan(contentOffsets![ad], contentOffsets[ad + 1] - contentOffsets[ad]));
        w.NewLine();
    }

    /// <summary>All per-request scratch, allocated once per simulator.</summary>
    private sealed class RequestState
    {
        public readonly UserProfile Profile = new();
        public readonly RequestTruth Truth;
        public readonly int[] HistAds;      // (L) newest last
        public readonly long[] HistTs;      // (L)
        public readonly int[] ScratchAds = new int[64];
        public readonly long[] ScratchTs = new long[64];
        public int HistLen;
        public readonly int[] SeenAds, SeenCounts; // this session's impressions per ad
        public int SeenCount;
        public readonly int[] Pool, Order, Exposure, ClickedAds, Top, Others; // (P)
        public readonly double[] CtrLogit, CvrLogit, RetScore, Pctr, Pcvr, BidValue, Ecpm; // (P)
        public readonly int[] Stamp;        // (Ads) dedupe marks of the current pool
        public readonly ByteBuilder Prefix = new(1024);
        private int _stamp;

        public RequestState(SimulatorOptions o)
        {
            Truth = new RequestTruth(o.Categories, o.HistoryLength);
            HistAds = new int[o.HistoryLength]; HistTs = new long[o.HistoryLength];
            int seen = o.MaxRequestsPerSession * o.Slots;
            SeenAds = new int[seen]; SeenCounts = new int[seen];
            int p = o.RetrievalPool;
            Pool = new int[p]; Order = new int[p]; Exposure = new int[p]; ClickedAds = new int[p];
            Top = new int[p]; Others = new int[p];
            CtrLogit = new double[p]; CvrLogit = new double[p]; RetScore = new double[p];
            Pctr = new double[p]; Pcvr = new double[p]; BidValue = new double[p]; Ecpm = new double[p];
            Stamp = new int[o.Ads];
        }

        public int NextStamp()
        {
            if (_stamp == int.MaxValue) { Array.Clear(Stamp); _stamp = 0; }
            return ++_stamp;
        }

        public int SeenCountOf(int ad)
        {
            for (int i = 0; i < SeenCount; i++) if (SeenAds[i] == ad) return SeenCounts[i];
            return 0;
        }

        public void AddSeen(int ad)
        {
            for (int i = 0; i < SeenCount; i++) if (SeenAds[i] == ad) { SeenCounts[i]++; return; }
            SeenAds[SeenCount] = ad; SeenCounts[SeenCount++] = 1;
        }

        public void AppendHistory(int ad, long ts)
        {
            if (HistLen == HistAds.Length)
            {
                Array.Copy(HistAds, 1, HistAds, 0, HistLen - 1);
                Array.Copy(HistTs, 1, HistTs, 0, HistLen - 1);
                HistLen--;
            }
            HistAds[HistLen] = ad; HistTs[HistLen] = ts; HistLen++;
        }
    }
}
