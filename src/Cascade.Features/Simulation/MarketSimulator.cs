using System.Diagnostics;

namespace Cascade.Features.Simulation;

/// <summary>Where the simulator writes each file; a null stream skips that file (its rows are still simulated).</summary>
public sealed class SimulationStreams
{
    /// <summary>users.csv.</summary>
    public Stream? Users { get; init; }
    /// <summary>ads.csv.</summary>
    public Stream? Ads { get; init; }
    /// <summary>samples.csv.</summary>
    public Stream? Samples { get; init; }
    /// <summary>behaviours.csv.</summary>
    public Stream? Behaviours { get; init; }
    /// <summary>events.csv.</summary>
    public Stream? Events { get; init; }
}

/// <summary>Counts of one simulation run.</summary>
public sealed record SimulationSummary
{
    /// <summary>Users in the market.</summary>
    public long Users { get; init; }
    /// <summary>Ads in the market.</summary>
    public long Ads { get; init; }
    /// <summary>Simulated days.</summary>
    public int Days { get; init; }
    /// <summary>User sessions (at most one per user-day).</summary>
    public long Sessions { get; init; }
    /// <summary>Ad requests.</summary>
    public long Requests { get; init; }
    /// <summary>Rows of samples.csv (exposures + ranking + retrieval rows).</summary>
    public long Samples { get; init; }
    /// <summary>Exposure rows (impressions).</summary>
    public long Exposures { get; init; }
    /// <summary>Ranked-but-not-shown rows.</summary>
    public long RankingRows { get; init; }
    /// <summary>Retrieved-only rows written.</summary>
    public long RetrievalRows { get; init; }
    /// <summary>Clicks.</summary>
    public long Clicks { get; init; }
    /// <summary>Conversions.</summary>
    public long Conversions { get; init; }
    /// <summary>Rows of behaviours.csv (organic behaviours over the lookback and the simulated days).</summary>
    public long Behaviours { get; init; }
    /// <summary>Rows of events.csv.</summary>
    public long Events { get; init; }
    /// <summary>Wall time of the request simulation (samples), seconds.</summary>
    public double SampleSeconds { get; init; }
    /// <summary>Process CPU time of the request simulation, seconds (robust to other load on the machine).</summary>
    public double SampleCpuSeconds { get; init; }
    /// <summary>Wall time of the whole run, seconds.</summary>
    public double TotalSeconds { get; init; }
    /// <summary>Clicks per exposure.</summary>
    public double Ctr => Exposures == 0 ? 0 : (double)Clicks / Exposures;
    /// <summary>Conversions per click.</summary>
    public double Cvr => Clicks == 0 ? 0 : (double)Conversions / Clicks;
    /// <summary>Sample rows per second of the request simulation (generation + formatting + writing).</summary>
    public double SamplesPerSecond => SampleSeconds <= 0 ? 0 : Samples / SampleSeconds;
    /// <summary>Sample rows per CPU-second of the request simulation (the single-core throughput).</summary>
    public double SamplesPerCpuSecond => SampleCpuSeconds <= 0 ? 0 : Samples / SampleCpuSeconds;
}

/// <summary>
/// The seeded ad-market simulator: users (derived from (seed, id), streamed), ads (in memory), a retrieval →
/// ranking → auction cascade with known scores, clicks, delayed conversions, repeated exposures and advertiser events.
/// Runs day by day and, within a day, slot (15 min) by slot: each active user has one session per day starting in
/// one slot, so memory stays O(ads + users bytes) whatever the number of samples. Single-threaded and deterministic:
/// the same options give byte-identical files on every machine. See docs/design/simulator.md.
/// </summary>
public sealed partial class MarketSimulator
{
    private readonly SimulatorOptions _o;
    private readonly AdMarket _market;
    private readonly UserModel _users;
    private readonly TruthModel _truth;
    private static readonly double[] HourCdf = BuildHourCdf();
    private bool _ran;

    /// <summary>Validates the options and generates the ad corpus and truth tables.</summary>
    public MarketSimulator(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        _market = new AdMarket(options);
        _users = new UserModel(options, _market);
        _truth = new TruthModel(options, _market);
        _req = new RequestState(options);
        _adStatic = BuildAdStatic(options.ContentInSamples);
        _constraintValue = new double[options.Ads];
        Array.Fill(_constraintValue, double.NaN);
        _constraintBytes = new byte[options.Ads * 24];
        _constraintLength = new byte[options.Ads];
    }

    /// <summary>The options in use.</summary>
    public SimulatorOptions Options => _o;
    /// <summary>The ad corpus (its dynamic state reflects the end of the last run).</summary>
    public AdMarket Market => _market;
    /// <summary>The user model.</summary>
    public UserModel UserModel => _users;
    /// <summary>The truth model.</summary>
    public TruthModel Truth => _truth;

    /// <summary>
    /// Runs the whole simulation once, writing users, ads and behaviours (streaming passes), then the samples and
    /// events day by day. Call once per simulator (a second call throws): ad state (budgets, pauses) carries the run's history.
    /// </summary>
    public SimulationSummary Run(SimulationStreams streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (_ran) throw new InvalidOperationException("MarketSimulator.Run can be called only once: budgets and pauses carry the first run's history; create a new simulator (same options → same output).");
        _ran = true;
        var total = Stopwatch.StartNew();
        if (streams.Users is { } us) WriteUsers(us);
        if (streams.Ads is { } ads) WriteAds(ads);
        long behaviours = streams.Behaviours is { } bs ? WriteBehaviours(bs) : 0;

        using var events = streams.Events is { } es ? new Utf8CsvWriter(es) : null;
        events?.WriteHeader(SimulationSchema.Names(SimulationSchema.EventColumns));
        _market.SetEventLog(events);
        using var samples = streams.Samples is { } ss ? new Utf8CsvWriter(ss) : null;
        samples?.WriteHeader(SimulationSchema.Names(SimulationSchema.SampleColumns(_o)));
        _out = samples;

        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var slotOf = new byte[_o.Users]; // (Users) slot of today's session, or 255: the only per-user memory
        for (int day = 0; day < _o.Days; day++)
        {
            _market.StartDay(day);
            AssignSlots(day, slotOf);
            for (int slot = 0; slot < AdMarket.SlotsPerDay; slot++)
            {
                _market.ApplySlot(day, slot);
                int from = 0;
                while (true)
                {
                    int i = slotOf.AsSpan(from).IndexOf((byte)slot);
                    if (i < 0) break;
                    RunSession(from + i, day, slot);
                    from += i + 1;
                }
            }
        }
        samples?.Flush();
        events?.Flush();
        _market.SetEventLog(null);
        _out = null;
        sw.Stop();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return new SimulationSummary
        {
            Users = _o.Users, Ads = _o.Ads, Days = _o.Days,
            Sessions = _sessions, Requests = _requests, Samples = _exposures + _rankingRows + _retrievalRows,
            Exposures = _exposures, RankingRows = _rankingRows, RetrievalRows = _retrievalRows,
            Clicks = _clicks, Conversions = _conversions, Behaviours = behaviours, Events = _market.EventCount,
            SampleSeconds = sw.Elapsed.TotalSeconds, SampleCpuSeconds = cpu, TotalSeconds = total.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Today's session slot of every user: active with probability Activity(u); the hour follows a fixed diurnal
    /// curve (evening peak), the quarter-hour is uniform.
    /// </summary>
    private void AssignSlots(int day, byte[] slotOf)
    {
        ulong key = SimRandom.Hash(_o.Seed ^ 6, (ulong)day);
        for (int u = 0; u < slotOf.Length; u++)
        {
            ulong h = SimRandom.Hash(key, (ulong)u);
            if (SimRandom.UnitFromHash(h) >= _users.ActivityOf(u)) { slotOf[u] = 255; continue; }
            double r = SimRandom.UnitFromHash(SimRandom.Mix(h));
            int hour = 0;
            while (hour < 23 && r >= HourCdf[hour]) hour++;
            slotOf[u] = (byte)(hour * 4 + (int)(SimRandom.Mix(h ^ 0x1234) & 3));
        }
    }

    private static double[] BuildHourCdf()
    {
        ReadOnlySpan<double> w = [2, 1.5, 1, 1, 1, 1.5, 3, 4, 5, 5, 5, 5, 6, 5, 5, 5, 5, 5, 6, 7, 8, 8, 6, 4];
        double sum = 0;
        foreach (double x in w) sum += x;
        var cdf = new double[24];
        double acc = 0;
        for (int i = 0; i < 24; i++) { acc += w[i]; cdf[i] = acc / sum; }
        return cdf;
    }

    /// <summary>
    /// One session: 1 + Geometric(0.4) requests (capped at MaxRequestsPerSession), 15–120 s apart, from a start
    /// uniform within the slot. The history is the organic sequence at session start plus the session's clicks.
    /// </summary>
    private void RunSession(int userId, int day, int slot)
    {
        var s = _req;
        _users.Derive(userId, s.Profile);
        var rng = SimRandom.For(_o.Seed, 5, (ulong)userId, (ulong)day);
        long t = SimulatorOptions.Epoch + (long)day * 86400 + (long)slot * AdMarket.SlotSeconds + rng.NextInt(AdMarket.SlotSeconds);
        int requests = 1 + rng.NextGeometric(0.4, _o.MaxRequestsPerSession - 1);
        int transient = _users.TransientCategory(s.Profile, day);
        s.HistLen = _users.History(s.Profile, t, _o.HistoryLength, s.HistAds, s.HistTs, s.ScratchAds, s.ScratchTs);
        s.SeenCount = 0;
        _sessions++;
        for (int r = 0; r < requests; r++)
        {
            if (r > 0) t += 15 + rng.NextInt(106);
            int hour = (int)((t - SimulatorOptions.Epoch) / 3600 % 24);
            int device = rng.NextDouble() < 0.8 ? s.Profile.MainDevice : rng.NextInt(4);
            RunRequest(ref rng, t, day, hour, device, transient);
        }
    }
}
