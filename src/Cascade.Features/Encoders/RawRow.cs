using Cascade.Features.Schema;

namespace Cascade.Features.Encoders;

/// <summary>
/// Raw values of one sample, one slot per schema feature, reused across rows by readers (no per-row allocation):
/// text for ids, id lists ("a|b|c") and numbers; a number when the reader already parsed it; vectors for similarity
/// and LSH; a second text for a sequence's timestamps. Serving builds one from a dictionary with <see cref="Set"/>.
/// </summary>
public sealed class RawRow
{
    private readonly DatasetSchema _schema;
    internal readonly string?[] Text;
    internal readonly string?[] Text2;
    internal readonly double[] Number;
    internal readonly float[]?[] Vector;
    internal readonly float[]?[] Vector2;

    /// <summary>Label (0/1 for CTR).</summary>
    public float Label { get; set; }
    /// <summary>Sample weight (default 1).</summary>
    public float Weight { get; set; } = 1;
    /// <summary>User index for GAUC grouping (−1 when unknown).</summary>
    public int UserId { get; set; } = -1;
    /// <summary>Sample timestamp (seconds; 0 when unknown).</summary>
    public long Timestamp { get; set; }
    /// <summary>HAP source tag.</summary>
    public SampleSource Source { get; set; } = SampleSource.Exposure;

    /// <summary>Creates an empty row for a schema.</summary>
    public RawRow(DatasetSchema schema)
    {
        _schema = schema;
        int n = schema.Features.Count;
        Text = new string?[n]; Text2 = new string?[n]; Number = new double[n];
        Vector = new float[]?[n]; Vector2 = new float[]?[n];
        Clear();
    }

    /// <summary>The schema.</summary>
    public DatasetSchema Schema => _schema;

    /// <summary>Resets every slot to missing.</summary>
    public void Clear()
    {
        Array.Clear(Text); Array.Clear(Text2); Array.Fill(Number, double.NaN); Array.Clear(Vector); Array.Clear(Vector2);
        Label = 0; Weight = 1; UserId = -1; Timestamp = 0; Source = SampleSource.Exposure;
    }

    /// <summary>Sets feature <paramref name="feature"/>'s text value.</summary>
    public void SetText(int feature, string? value) => Text[feature] = value;
    /// <summary>Sets a sequence feature's timestamps text (same separator as the ids).</summary>
    public void SetTimestamps(int feature, string? value) => Text2[feature] = value;
    /// <summary>Sets feature <paramref name="feature"/>'s numeric value.</summary>
    public void SetNumber(int feature, double value) => Number[feature] = value;
    /// <summary>Sets the (first) vector of a similarity or LSH feature.</summary>
    public void SetVector(int feature, float[]? value) => Vector[feature] = value;
    /// <summary>Sets the second vector of a similarity feature.</summary>
    public void SetVector2(int feature, float[]? value) => Vector2[feature] = value;

    /// <summary>
    /// Sets every feature that reads column <paramref name="column"/> (as source or second source) from a loosely typed
    /// value: string, any number, float[] or double[] (vectors), or IEnumerable of ids (joined with the separator).
    /// </summary>
    public void Set(string column, object? value)
    {
        for (int i = 0; i < _schema.Features.Count; i++)
        {
            var f = _schema.Features[i];
            bool first = f.SourceColumn == column, second = f.SecondSource == column;
            if (!first && !second) continue;
            switch (value)
            {
                case null: break;
                case float[] v: if (first) Vector[i] = v; else Vector2[i] = v; break;
                case double[] d: var fv = Array.ConvertAll(d, x => (float)x); if (first) Vector[i] = fv; else Vector2[i] = fv; break;
                case string s: if (first) Text[i] = s; else Text2[i] = s; break;
                case System.Collections.IEnumerable e:
                    string joined = string.Join(f.Separator, e.Cast<object>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)));
                    if (first) Text[i] = joined; else Text2[i] = joined;
                    break;
                case IConvertible c:
                    double x = c.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
                    if (first) { Number[i] = x; Text[i] = c.ToString(System.Globalization.CultureInfo.InvariantCulture); }
                    break;
                default: throw new ArgumentException($"column '{column}': unsupported value type {value.GetType().Name}.", nameof(value));
            }
        }
    }
}

/// <summary>HAP: where a training sample came from in the cascade.</summary>
public enum SampleSource : byte
{
    /// <summary>Retrieved but not ranked high enough to be shown.</summary>
    Retrieval,
    /// <summary>Ranked but not shown (lost the auction).</summary>
    Ranking,
    /// <summary>Shown to the user (an impression; clicks are labelled on these).</summary>
    Exposure,
}
