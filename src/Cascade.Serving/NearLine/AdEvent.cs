using System.Text.Json;
using Cascade.Serving.Online;

namespace Cascade.Serving.NearLine;

/// <summary>What an advertiser changed.</summary>
public enum AdEventKind
{
    /// <summary>New ad, or new features/creative/constraints of an existing one: needs features, bid and budget; recomputes the ad's representations.</summary>
    Upsert,
    /// <summary>Bid change (bid).</summary>
    Bid,
    /// <summary>Budget change (budget).</summary>
    Budget,
    /// <summary>Pause the ad.</summary>
    Pause,
    /// <summary>Resume the ad.</summary>
    Resume,
    /// <summary>Remove the ad from the index.</summary>
    Delete,
}

/// <summary>
/// One ad event. <see cref="Version"/> is the advertiser-side version of the ad, strictly increasing per ad: an
/// event whose version is not above the ad's current one is ignored, so replaying the log is idempotent.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="AdId">Ad id (&gt; 0).</param>
/// <param name="Version">Per-ad version (&gt; 0).</param>
/// <param name="Bid">New bid (Upsert, Bid).</param>
/// <param name="Budget">New budget (Upsert, Budget).</param>
/// <param name="Features">Ad-side features (Upsert).</param>
public sealed record AdEvent(AdEventKind Kind, long AdId, long Version, double? Bid = null, double? Budget = null,
    IReadOnlyDictionary<string, object?>? Features = null)
{
    /// <summary>Stopwatch timestamp when the server received the event (for event-to-visible freshness; 0 on replay).</summary>
    public long ReceivedTimestamp { get; init; }

    /// <summary>Null when the event is well formed for <paramref name="engine"/>'s schema and encoder, else the error.</summary>
    public string? Validate(CascadeEngine engine)
    {
        if (AdId <= 0) return "ad_id must be a positive integer.";
        if (Version <= 0) return "version must be a positive integer.";
        if (Bid is { } b && (!double.IsFinite(b) || b < 0)) return $"bid must be a finite number ≥ 0 (got {b}).";
        if (Budget is { } g && (!double.IsFinite(g) || g < 0)) return $"budget must be a finite number ≥ 0 (got {g}).";
        return Kind switch
        {
            AdEventKind.Upsert when Features is null => "an upsert event needs 'features'.",
            AdEventKind.Upsert when Bid is null || Budget is null => "an upsert event needs 'bid' and 'budget'.",
            AdEventKind.Upsert => engine.CheckAdFeatures(Features!),
            AdEventKind.Bid when Bid is null => "a bid event needs 'bid'.",
            AdEventKind.Budget when Budget is null => "a budget event needs 'budget'.",
            _ => null,
        };
    }

    /// <summary>Writes the event as one JSON object (the durable log's line format and the HTTP body format).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("type", KindName(Kind));
        w.WriteNumber("ad_id", AdId);
        w.WriteNumber("version", Version);
        if (Bid is { } b) w.WriteNumber("bid", b);
        if (Budget is { } g) w.WriteNumber("budget", g);
        if (Features is not null) { w.WritePropertyName("features"); AdJson.WriteFeatures(w, Features); }
        w.WriteEndObject();
    }

    /// <summary>Lower-case wire name of a kind.</summary>
    public static string KindName(AdEventKind k) => k.ToString().ToLowerInvariant();

    /// <summary>Parses one event object; throws <see cref="FormatException"/> naming the field.</summary>
    public static AdEvent Parse(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException("an event must be a JSON object.");
        foreach (var p in e.EnumerateObject())
            if (p.Name is not ("type" or "ad_id" or "version" or "bid" or "budget" or "features"))
                throw new FormatException($"unknown field '{p.Name}' (fields: type, ad_id, version, bid, budget, features).");
        if (!e.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String) throw new FormatException("'type' is required: one of upsert, bid, budget, pause, resume, delete.");
        var kind = t.GetString() switch
        {
            "upsert" => AdEventKind.Upsert, "bid" => AdEventKind.Bid, "budget" => AdEventKind.Budget,
            "pause" => AdEventKind.Pause, "resume" => AdEventKind.Resume, "delete" => AdEventKind.Delete,
            var other => throw new FormatException($"unknown type '{other}': use upsert, bid, budget, pause, resume or delete."),
        };
        long Long(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var x) ? x
            : throw new FormatException($"'{name}' is required and must be an integer.");
        double? Num(string name) => !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
            : v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new FormatException($"'{name}' must be a number.");
        var features = e.TryGetProperty("features", out var f) && f.ValueKind != JsonValueKind.Null ? AdJson.ReadFeatures(f, "features") : null;
        return new AdEvent(kind, Long("ad_id"), Long("version"), Num("bid"), Num("budget"), features);
    }
}

/// <summary>What applying an event did.</summary>
public enum ApplyOutcome
{
    /// <summary>The ad changed.</summary>
    Applied,
    /// <summary>Version not above the ad's current one: ignored (idempotent replay).</summary>
    Stale,
    /// <summary>The event refers to an ad the server does not know (for example a bid change of a deleted ad).</summary>
    UnknownAd,
}
