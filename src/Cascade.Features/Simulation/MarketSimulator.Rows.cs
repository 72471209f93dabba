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
    /// Pre-formats each ad's static columns "ad_id,advertiser_id,category,tags,bid_type,default_bid," (and, when requested, its
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
            b.Fixed(_market.DefaultBid[ad], 4); b.Byte((byte)',');
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
    private void FormatPrefix(long requestId, long t, int day, int hour, int device, double timeLeft)
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
            b.Int(s.HistTs[i]);
        }
        b.Byte((byte)',');
        s.TimeLeft.Clear();
        s.TimeLeft.Fixed(timeLeft, 4);
        s.TimeLeft.Byte((byte)',');
    }

    /// <summary>"bid_constraint," of the ad, re-formatted only when an event changed the value (events are rare).</summary>
    private ReadOnlySpan<byte> ConstraintBytes(int ad)
    {
        double v = _market.BidConstraint[ad];
        var span = _constraintBytes.AsSpan(ad * 24, 24);
        if (v != _constraintValue[ad])
        {
            _constraintValue[ad] = v;
            Utf8CsvWriter.FormatFixed(v, 4, span, out int n);
            span[n] = (byte)',';
            _constraintLength[ad] = (byte)(n + 1);
        }
        return span[.._constraintLength[ad]];
    }

    private void WriteRow(int i, byte[] source, int rank, int position, int click, int conversion, long delay)
    {
        if (_out is not { } w) return;
        var s = _req;
        int ad = s.Pool[i];
        var (bytes, offsets, content, contentOffsets) = _adStatic;
        var prefix = s.Prefix.Span;
        var adBytes = bytes.AsSpan(offsets[ad], offsets[ad + 1] - offsets[ad]);
        var contentBytes = content is null ? default : content.AsSpan(contentOffsets![ad], contentOffsets[ad + 1] - contentOffsets[ad]);
        // One reservation per row: the dynamic part is at most 16 fields of ≤ 24 bytes.
        var d = w.GetSpan(prefix.Length + adBytes.Length + contentBytes.Length + 512);
        prefix.CopyTo(d);
        int p = prefix.Length;
        adBytes.CopyTo(d[p..]); p += adBytes.Length;
        ConstraintBytes(ad).CopyTo(d[p..]); p += _constraintLength[ad];
        p += Fixed(s.BudgetLeft[i], 4, d[p..]);
        s.TimeLeft.Span.CopyTo(d[p..]); p += s.TimeLeft.Length;
        p += Int(s.Exposure[i], d[p..]);
        source.CopyTo(d[p..]); p += source.Length; d[p++] = (byte)',';
        p += Int(rank, d[p..]);
        p += Int(position, d[p..]);
        p += Fixed(s.RetScore[i], 4, d[p..]);
        p += Fixed(s.Pctr[i], 6, d[p..]);
        p += Fixed(s.Pcvr[i], 6, d[p..]);
        p += Fixed(s.BidValue[i], 4, d[p..]);
        p += Fixed(s.Ecpm[i], 4, d[p..]);
        p += Int(click, d[p..]);
        p += Int(conversion, d[p..]);
        p += Int(delay, d[p..]);
        p += Fixed(s.TrueCtr[i], 6, d[p..]);
        Utf8CsvWriter.FormatFixed(s.TrueCvr[i], 6, d[p..], out int n); p += n;
        contentBytes.CopyTo(d[p..]); p += contentBytes.Length;
        d[p++] = (byte)'\n';
        w.Advance(p);
    }

    /// <summary>Formats v with the given decimals and a trailing comma; returns the bytes written.</summary>
    private static int Fixed(double v, int decimals, Span<byte> d)
    {
        if (v == 0) // retrieval rows: a third of the rows carry four zero ranker columns
        {
            var zero = decimals == 6 ? "0.000000,"u8 : "0.0000,"u8;
            if (decimals is 4 or 6) { zero.CopyTo(d); return zero.Length; }
        }
        Utf8CsvWriter.FormatFixed(v, decimals, d, out int n);
        d[n] = (byte)',';
        return n + 1;
    }

    /// <summary>Formats a non-negative integer with a trailing comma; returns the bytes written.</summary>
    private static int Int(long v, Span<byte> d)
    {
        if ((ulong)v < 10) { d[0] = (byte)('0' + v); d[1] = (byte)','; return 2; }
        System.Buffers.Text.Utf8Formatter.TryFormat(v, d, out int n);
        d[n] = (byte)',';
        return n + 1;
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
        public readonly double[] CtrLogit, CvrLogit, RetScore, Pctr, Pcvr, BidValue, Ecpm, BudgetLeft, TrueCtr, TrueCvr; // (P)
        public readonly SmallIntSet Seen;   // ads already in the current pool
        public readonly ByteBuilder Prefix = new(1024);
        public readonly ByteBuilder TimeLeft = new(16);

        public RequestState(SimulatorOptions o)
        {
            Truth = new RequestTruth(o.Categories, o.HistoryLength, o.Categories * o.TagsPerCategory);
            HistAds = new int[o.HistoryLength]; HistTs = new long[o.HistoryLength];
            int seen = o.MaxRequestsPerSession * o.Slots;
            SeenAds = new int[seen]; SeenCounts = new int[seen];
            int p = o.RetrievalPool;
            Pool = new int[p]; Order = new int[p]; Exposure = new int[p]; ClickedAds = new int[p];
            Top = new int[p]; Others = new int[p];
            CtrLogit = new double[p]; CvrLogit = new double[p]; RetScore = new double[p];
            Pctr = new double[p]; Pcvr = new double[p]; BidValue = new double[p]; Ecpm = new double[p];
            BudgetLeft = new double[p]; TrueCtr = new double[p]; TrueCvr = new double[p];
            Seen = new SmallIntSet(p);
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
