namespace Cascade.Features.Simulation;

/// <summary>Kinds of rows in events.csv.</summary>
public enum AdEventKind : byte
{
    /// <summary>Advertiser changed the bid constraint (old → new value).</summary>
    BidConstraint,
    /// <summary>Advertiser changed the daily budget (old → new value).</summary>
    Budget,
    /// <summary>Advertiser paused the ad (0 → 1).</summary>
    Pause,
    /// <summary>Advertiser resumed the ad (1 → 0).</summary>
    Resume,
    /// <summary>A click's cost used up the daily budget (old = budget, new = spend); the ad stops serving.</summary>
    BudgetExhausted,
    /// <summary>00:00 reset of an exhausted ad (old = yesterday's spend, new = 0); it serves again.</summary>
    BudgetReset,
}

public sealed partial class AdMarket
{
    /// <summary>Slots of 15 minutes per day: advertiser events take effect at slot starts.</summary>
    public const int SlotsPerDay = 96;
    /// <summary>Seconds per slot.</summary>
    public const int SlotSeconds = 86400 / SlotsPerDay;

    private readonly List<(int Ad, AdEventKind Kind, double Factor)>[] _schedule = NewSchedule();
    private static readonly string[] EventNames = ["bid_constraint", "budget", "pause", "resume", "budget_exhausted", "budget_reset"];
    private Utf8CsvWriter? _events;

    /// <summary>Number of events applied so far.</summary>
    public long EventCount { get; private set; }

    /// <summary>The events.csv writer (header already written), or null to apply events without logging.</summary>
    internal void SetEventLog(Utf8CsvWriter? writer) => _events = writer;

    /// <summary>Name of an event kind as written in events.csv.</summary>
    public static string EventName(AdEventKind kind) => EventNames[(int)kind];

    private static List<(int, AdEventKind, double)>[] NewSchedule()
    {
        var s = new List<(int, AdEventKind, double)>[SlotsPerDay];
        for (int i = 0; i < s.Length; i++) s[i] = [];
        return s;
    }

    /// <summary>
    /// 00:00 of <paramref name="day"/>: resets spend (logging budget_reset for exhausted ads) and draws the day's
    /// advertiser actions: each ad acts with probability EventRate at a uniform slot: a bid-constraint change
    /// (p 0.45, factor exp(N(0, 0.3))), a budget change (p 0.35, factor U(0.6, 1.8)) or a pause (p 0.20) resumed
    /// 1–6 hours later (at 23:45 at the latest).
    /// </summary>
    public void StartDay(int day)
    {
        long dayStart = SimulatorOptions.Epoch + (long)day * 86400;
        for (int i = 0; i < Count; i++)
        {
            if (IsExhausted(i))
            {
                SetFlag(i, AdHot.ExhaustedFlag, false);
                Log(dayStart, i, AdEventKind.BudgetReset, Spent[i], 0);
            }
            Spent[i] = 0;
        }
        foreach (var list in _schedule) list.Clear();
        var rng = SimRandom.For(_o.Seed, 12, (ulong)day);
        for (int i = 0; i < Count; i++)
        {
            if (rng.NextDouble() >= _o.EventRate) continue;
            int slot = rng.NextInt(SlotsPerDay);
            double r = rng.NextDouble();
            if (r < 0.45) _schedule[slot].Add((i, AdEventKind.BidConstraint, Math.Exp(0.3 * rng.NextGaussian())));
            else if (r < 0.80) _schedule[slot].Add((i, AdEventKind.Budget, rng.Uniform(0.6, 1.8)));
            else
            {
                _schedule[slot].Add((i, AdEventKind.Pause, 1));
                _schedule[Math.Min(SlotsPerDay - 1, slot + 4 + rng.NextInt(21))].Add((i, AdEventKind.Resume, 0));
            }
        }
    }

    /// <summary>Applies the actions scheduled at the start of <paramref name="slot"/> of <paramref name="day"/>.</summary>
    public void ApplySlot(int day, int slot)
    {
        long ts = SimulatorOptions.Epoch + (long)day * 86400 + (long)slot * SlotSeconds;
        foreach (var (ad, kind, factor) in _schedule[slot])
        {
            switch (kind)
            {
                case AdEventKind.BidConstraint:
                    double oldC = BidConstraint[ad];
                    BidConstraint[ad] = oldC * factor;
                    Log(ts, ad, kind, oldC, BidConstraint[ad]);
                    break;
                case AdEventKind.Budget:
                    double oldB = DailyBudget[ad];
                    DailyBudget[ad] = oldB * factor;
                    Log(ts, ad, kind, oldB, DailyBudget[ad]);
                    if (IsExhausted(ad) && Spent[ad] < DailyBudget[ad])
                    {
                        SetFlag(ad, AdHot.ExhaustedFlag, false);
                        Log(ts, ad, AdEventKind.BudgetReset, Spent[ad], Spent[ad]);
                    }
                    break;
                case AdEventKind.Pause:
                    if (IsPaused(ad)) break;
                    SetFlag(ad, AdHot.PausedFlag, true);
                    Log(ts, ad, kind, 0, 1);
                    break;
                default:
                    if (!IsPaused(ad)) break;
                    SetFlag(ad, AdHot.PausedFlag, false);
                    Log(ts, ad, kind, 1, 0);
                    break;
            }
        }
    }

    /// <summary>Charges a click's cost at <paramref name="ts"/>; exhausts the ad when spend reaches the budget.</summary>
    public void Charge(int ad, double cost, long ts)
    {
        Spent[ad] += cost;
        if (!IsExhausted(ad) && Spent[ad] >= DailyBudget[ad])
        {
            SetFlag(ad, AdHot.ExhaustedFlag, true);
            Log(ts, ad, AdEventKind.BudgetExhausted, DailyBudget[ad], Spent[ad]);
        }
    }

    private void Log(long ts, int ad, AdEventKind kind, double oldValue, double newValue)
    {
        EventCount++;
        if (_events is not { } w) return;
        w.WriteInt64(ts); w.Comma();
        w.WriteInt32(ad); w.Comma();
        w.WriteAscii(EventNames[(int)kind]); w.Comma();
        w.WriteFixed(oldValue, 4); w.Comma();
        w.WriteFixed(newValue, 4); w.NewLine();
    }
}
