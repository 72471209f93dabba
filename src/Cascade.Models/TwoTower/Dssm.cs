using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// DSSM, the vanilla two-tower model (Huang et al. 2013) as IntTower's <c>model/dssm.py</c> builds it: a user tower
/// over the user- and context-side fields and an item tower over the item-side fields, each an MLP (300, 300, 128)
/// with batch norm, ReLU on every layer and no dropout; score logit = γ · cos(u, v) + b, p = σ(logit).
/// <para>
/// The scripts do not output the cosine as the probability: their <c>PredictionLayer</c> adds a learned bias and
/// applies the sigmoid (γ = 1). Because ReLU towers give cos ∈ [0, 1], p stays inside [σ(b), σ(b + γ)], which
/// is why DSSM's logloss (~0.45 in HIT Table 2) sits far above the other models'. <see cref="ScoreKind"/> is
/// therefore <see cref="ScoreKind.Logit"/>.
/// </para>
/// Parameters: <c>tower</c> (300,300,128), <c>batch_norm</c> (true), <c>dropout</c> (0), <c>gamma</c> (1).
/// Serving: EncodeUser (B, D), EncodeAd (B, D) cacheable, Score = γ·cos + b.
/// </summary>
[Model("dssm", "DSSM vanilla two-tower (Huang et al. 2013), cosine of ReLU towers + bias, as in IntTower's scripts")]
public sealed class Dssm : CtrModel, ITwoTowerModel
{
    private readonly FeatureEmbedder _embedding;
    private readonly SideFields _userFields, _itemFields;
    private readonly Mlp _userTower, _itemTower;
    private readonly PredictionBias _output;
    private readonly float _gamma;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Dssm(FeatureLayout layout, ModelSettings settings)
    {
        _embedding = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        _userFields = new SideFields(_embedding, TowerSide.User, false, "dssm");
        _itemFields = new SideFields(_embedding, TowerSide.Item, false, "dssm");
        _userTower = RegisterModule("user_tower", new Mlp(TowerSettings.Read(settings, _userFields.Width, [300, 300, 128], 0f, 101)));
        _itemTower = RegisterModule("item_tower", new Mlp(TowerSettings.Read(settings, _itemFields.Width, [300, 300, 128], 0f, 201)));
        _gamma = settings.Float("gamma", 1f);
        _output = RegisterModule("output", new PredictionBias());
    }

    /// <inheritdoc />
    public override string Name => "dssm";

    /// <inheritdoc />
    public override Tensor Forward(ModelInput input)
    {
        // Independent towers: two cores run them side by side, forward and backward (bit-identical to in turn).
        var (user, ad) = ParallelBranches.Run(() => [EncodeUser(input)], () => [EncodeAd(input)]);
        return Score(user[0]!, ad[0]!);
    }

    /// <summary>User tower output. // (B, D)</summary>
    public Tensor EncodeUser(ModelInput input) => _userTower.Forward(_userFields.Concat(input));

    /// <summary>Item tower output (cacheable). // (B, D)</summary>
    public Tensor EncodeAd(ModelInput input) => _itemTower.Forward(_itemFields.Concat(input));

    /// <summary>logit = γ · cos(u, v) + b. (B, D), (B, D) → (B)</summary>
    public Tensor Score(Tensor user, Tensor ad) => _output.Forward(TowerScores.Cosine(user, ad, _gamma));

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => _embedding.TableParameters();
}
