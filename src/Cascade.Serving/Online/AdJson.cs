using System.Text.Json;

namespace Cascade.Serving.Online;

/// <summary>Raw feature values to and from JSON: strings, numbers and id lists (arrays of strings or numbers).</summary>
public static class AdJson
{
    /// <summary>
    /// Reads a JSON object of features into column → value (string, double or string[]). Throws
    /// <see cref="FormatException"/> naming the field for any other value kind.
    /// </summary>
    public static Dictionary<string, object?> ReadFeatures(JsonElement obj, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new FormatException($"{where} must be a JSON object of feature → value.");
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            string name = p.Name;
            d[name] = ReadValue(p.Value, where, name);
        }
        return d;
    }

    // The field path is formatted only for an error message: on the request path every value would pay for it.
    private static object? ReadValue(JsonElement v, string where, string name) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.Null => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array => v.EnumerateArray().Select((e, i) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.Number => e.GetRawText(),
            _ => throw new FormatException($"{where}.{name}[{i}] must be a string or a number."),
        }).ToArray(),
        _ => throw new FormatException($"{where}.{name} must be a string, a number or an array of ids, not {v.ValueKind}."),
    };

    /// <summary>Writes features as a JSON object (the inverse of <see cref="ReadFeatures"/>).</summary>
    public static void WriteFeatures(Utf8JsonWriter w, IReadOnlyDictionary<string, object?> features)
    {
        w.WriteStartObject();
        foreach (var (k, v) in features)
        {
            w.WritePropertyName(k);
            switch (v)
            {
                case null: w.WriteNullValue(); break;
                case string s: w.WriteStringValue(s); break;
                case string[] a: w.WriteStartArray(); foreach (var x in a) w.WriteStringValue(x); w.WriteEndArray(); break;
                case IConvertible c: w.WriteNumberValue(c.ToDouble(System.Globalization.CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"feature '{k}': unsupported value type {v.GetType().Name}.");
            }
        }
        w.WriteEndObject();
    }
}
