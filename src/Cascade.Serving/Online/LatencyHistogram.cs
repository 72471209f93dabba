using System.Globalization;
using System.Text;

namespace Cascade.Serving;

/// <summary>
/// Lock-free latency histogram in milliseconds with fixed Prometheus buckets (0.25 ms … 5 s) plus a fine log-scale
/// twin (1.1× steps from 1 µs) for percentiles accurate to ~5 %.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds (ms) of the exported buckets.</summary>
    public static readonly double[] Bounds = [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 500, 1000, 2500, 5000];
    private const double FineBase = 0.001, FineStep = 1.1;
    private readonly long[] _counts = new long[Bounds.Length + 1];
    private readonly long[] _fine = new long[200];
    private long _count, _sumMicros;

    /// <summary>Adds one observation.</summary>
    public void Record(double ms)
    {
        if (!(ms >= 0)) ms = 0;
        int i = Array.BinarySearch(Bounds, ms);
        if (i < 0) i = ~i;
        Interlocked.Increment(ref _counts[i]);
        int f = ms <= FineBase ? 0 : Math.Min(_fine.Length - 1, (int)Math.Ceiling(Math.Log(ms / FineBase, FineStep)));
        Interlocked.Increment(ref _fine[f]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)(ms * 1000));
    }

    /// <summary>Observations so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Approximate quantile q ∈ [0, 1] in ms (upper edge of the fine bucket holding it), 0 when empty.</summary>
    public double Quantile(double q)
    {
        long n = Count;
        if (n == 0) return 0;
        long target = (long)Math.Ceiling(q * n), seen = 0;
        for (int i = 0; i < _fine.Length; i++)
        {
            seen += Interlocked.Read(ref _fine[i]);
            if (seen >= Math.Max(1, target)) return FineBase * Math.Pow(FineStep, i);
        }
        return FineBase * Math.Pow(FineStep, _fine.Length - 1);
    }

    /// <summary>Appends the histogram in Prometheus text format (seconds, as Prometheus expects).</summary>
    public void WritePrometheus(StringBuilder sb, string name, string labels)
    {
        string sep = labels.Length == 0 ? "" : ",";
        long cumulative = 0;
        for (int i = 0; i < Bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}{sep}le=\"{Bounds[i] / 1000:0.#####}\"}} {cumulative}\n");
        }
        cumulative += Interlocked.Read(ref _counts[^1]);
        sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {Interlocked.Read(ref _sumMicros) / 1e6:0.######}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {cumulative}\n");
    }
}
