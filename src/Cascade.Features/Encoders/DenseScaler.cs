using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

/// <summary>
/// Dense transform with fitted statistics: min-max (x − min)/(max − min) (0 when max = min), standardise
/// (x − mean)/std (std = 1 when 0), log1p sign(x)·ln(1 + |x|), or raw. Missing (NaN) becomes 0 after the transform.
/// </summary>
public sealed record DenseScaler(DenseTransform Transform, double Min, double Max, double Mean, double Std)
{
    /// <summary>Fits the statistics on values (NaNs ignored).</summary>
    public static DenseScaler Fit(DenseTransform transform, ReadOnlySpan<float> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, sq = 0;
        long n = 0;
        foreach (float x in values)
        {
            if (float.IsNaN(x)) continue;
            min = Math.Min(min, x); max = Math.Max(max, x); sum += x; sq += (double)x * x; n++;
        }
        if (n == 0) return new DenseScaler(transform, 0, 0, 0, 1);
        double mean = sum / n, std = Math.Sqrt(Math.Max(0, sq / n - mean * mean));
        return new DenseScaler(transform, min, max, mean, std);
    }

    /// <summary>Applies the transform.</summary>
    public float Apply(float x)
    {
        if (float.IsNaN(x)) return 0f;
        return Transform switch
        {
            DenseTransform.MinMax => Max > Min ? (float)((x - Min) / (Max - Min)) : 0f,
            DenseTransform.Standardize => (float)((x - Mean) / (Std > 0 ? Std : 1)),
            DenseTransform.Log1p => MathF.Sign(x) * MathF.Log(1 + MathF.Abs(x)),
            _ => x,
        };
    }
}
