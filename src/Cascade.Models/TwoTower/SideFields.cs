using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>The two towers of a split model.</summary>
public enum TowerSide
{
    /// <summary>User tower: features of <see cref="FeatureSide.User"/> and of the request (<see cref="FeatureSide.Context"/>).</summary>
    User,
    /// <summary>Item (ad) tower: features of <see cref="FeatureSide.Item"/>; its output is what serving caches.</summary>
    Item,
}

/// <summary>
/// The input fields of one tower: the embedded slots and the dense slots of a side, optionally only the static ones
/// (HIT's generators, Eq. 3). Gives the tower input as a concatenation e = [e_1, …, e_F, dense] (B, Σ D + n) or the
/// embedded fields stacked (B, F, D).
/// </summary>
public sealed class SideFields
{
    private readonly FeatureEmbedder _embedder;

    /// <summary>Selects the fields of <paramref name="side"/> from the embedder's layout.</summary>
    /// <param name="embedder">Embedding layer shared by the model.</param>
    /// <param name="side">Which tower.</param>
    /// <param name="staticOnly">Keep only <see cref="FeatureLifetime.Static"/> features.</param>
    /// <param name="model">Model name for error messages.</param>
    public SideFields(FeatureEmbedder embedder, TowerSide side, bool staticOnly, string model)
    {
        _embedder = embedder;
        Side = side;
        bool Keep(FeatureSpec f) => Belongs(f, side) && (!staticOnly || f.Lifetime == FeatureLifetime.Static);
        Embedded = embedder.EmbeddedSlots(Keep);
        Dense = embedder.DenseSlots(Keep);
        if (Embedded.Count + Dense.Count == 0)
            throw new ArgumentException($"Model '{model}' needs at least one {(staticOnly ? "static " : "")}{(side == TowerSide.User ? "user/context" : "item")}-side feature; the schema declares none.");
        foreach (var s in Embedded) EmbeddedWidth += embedder.DimOf(s.Feature.Name);
    }

    /// <summary>Which tower.</summary>
    public TowerSide Side { get; }

    /// <summary>Embedded slots (sparse, multi-hot, sequence) in layout order.</summary>
    public IReadOnlyList<FeatureSlot> Embedded { get; }

    /// <summary>Dense slots in layout order.</summary>
    public IReadOnlyList<FeatureSlot> Dense { get; }

    /// <summary>Σ D over the embedded slots.</summary>
    public int EmbeddedWidth { get; }

    /// <summary>Width of <see cref="Concat"/>: Σ D + number of dense slots.</summary>
    public int Width => EmbeddedWidth + Dense.Count;

    /// <summary>Whether a feature belongs to a tower: context features ride with the user (they arrive with the request).</summary>
    public static bool Belongs(FeatureSpec feature, TowerSide side) =>
        side == TowerSide.User ? feature.Side is FeatureSide.User or FeatureSide.Context : feature.Side == FeatureSide.Item;

    /// <summary>Embedded fields then dense values, concatenated. // (B, Σ D + n)</summary>
    public Tensor Concat(ModelInput input)
    {
        var parts = new List<Tensor>(2);
        if (Embedded.Count > 0) parts.Add(_embedder.EmbedConcat(input, Embedded));
        if (Dense.Count > 0) parts.Add(FeatureEmbedder.DenseValues(input, Dense));
        return parts.Count == 1 ? parts[0] : Ops.Concat(parts, 1);
    }

    /// <summary>Embedded fields stacked on a field axis (all tables must share D). // (B, F, D)</summary>
    public Tensor Stacked(ModelInput input)
    {
        if (Embedded.Count == 0) throw new InvalidOperationException($"The {Side} tower has no embedded fields to stack.");
        return _embedder.EmbedStacked(input, Embedded);
    }

    /// <summary>Dense values of the side, or null when it has none. // (B, n)</summary>
    public Tensor? DenseValues(ModelInput input) => Dense.Count == 0 ? null : FeatureEmbedder.DenseValues(input, Dense);
}
