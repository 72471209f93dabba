using Cascade.Features.Schema;

namespace Cascade.Serving.Online;

/// <summary>
/// Checks that request and ad columns exist in the schema and belong to the right side, so that a typo is a 400
/// naming the field instead of a silently missing feature.
/// </summary>
public sealed class FeatureValidator
{
    private readonly Dictionary<string, FeatureSide> _sideOfColumn = new(StringComparer.Ordinal);

    /// <summary>Indexes the source columns of <paramref name="schema"/>.</summary>
    public FeatureValidator(DatasetSchema schema)
    {
        foreach (var f in schema.Features)
        {
            _sideOfColumn[f.SourceColumn] = f.Side;
            if (f.SecondSource is { } second) _sideOfColumn[second] = f.Side;
        }
        RequestColumns = _sideOfColumn.Where(kv => kv.Value != FeatureSide.Item).Select(kv => kv.Key).Order().ToArray();
        AdColumns = _sideOfColumn.Where(kv => kv.Value == FeatureSide.Item).Select(kv => kv.Key).Order().ToArray();
    }

    /// <summary>Columns a recommend request may carry (user and context side).</summary>
    public IReadOnlyList<string> RequestColumns { get; }

    /// <summary>Columns an ad may carry (item side).</summary>
    public IReadOnlyList<string> AdColumns { get; }

    /// <summary>Returns null when every column is a user/context column, else the error message.</summary>
    public string? CheckRequest(IReadOnlyDictionary<string, object?> features) => Check(features, ad: false);

    /// <summary>Returns null when every column is an ad (item-side) column, else the error message.</summary>
    public string? CheckAd(IReadOnlyDictionary<string, object?> features) => Check(features, ad: true);

    private string? Check(IReadOnlyDictionary<string, object?> features, bool ad)
    {
        foreach (var name in features.Keys)
        {
            if (!_sideOfColumn.TryGetValue(name, out var side))
                return $"unknown feature '{name}'; known {(ad ? "ad" : "user/context")} features: {string.Join(", ", ad ? AdColumns : RequestColumns)}.";
            if ((side == FeatureSide.Item) != ad)
                return $"feature '{name}' is a{(ad ? " user/context" : "n ad-side")} feature and cannot be sent {(ad ? "with an ad" : "in a request")}.";
        }
        return null;
    }
}
