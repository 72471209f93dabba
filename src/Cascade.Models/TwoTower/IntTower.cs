using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// IntTower (Li et al. 2022) as in archersama/IntTower <c>model/IntTower.py</c>: LightSE feature refinement on each
/// tower's field embeddings, FE-block towers (300, 300, 300) with batch norm and dropout 0.3 whose states are
/// projected into H = 32 heads of f = 64 dims (user: the input of every layer; item: the output), and the light
/// interaction score Σ over all user heads of the max over the item heads of their dot product (IntTower's
/// <c>fe_score</c>), plus the learned bias.
/// <para>
/// Contrastive loss (optional, <c>contrastive_weight</c> &gt; 0): in-batch InfoNCE with τ = 0.07 between the
/// normalised last user projection and the item projection over the positive rows, set as
/// <see cref="CtrModel.AuxiliaryLoss"/>. The scripts add a term of this name to every BaseTower model, but index the
/// similarity matrix with the 0/1 label, so it pulls every user towards batch rows 0 and 1; next to the BCE summed over
/// 2048 rows its weight is ~1/2048, which is why the default here is 0 (off).
/// </para>
/// Parameters: <c>tower</c> (300,300,300), <c>batch_norm</c>, <c>dropout</c> (0.3), <c>user_heads</c> (32),
/// <c>item_heads</c> (32), <c>head_dim</c> (64), <c>contrastive_weight</c> (0), <c>temperature</c> (0.07).
/// Serving: EncodeUser (B, L·H, f), EncodeAd (B, H, f) cacheable, Score = max-sum + b.
/// </summary>
[Model("inttower", "IntTower: LightSE feature refinement, FE-block multi-head towers, max-sum light interaction (Li et al. 2022)")]
public sealed class IntTower : CtrModel, ITwoTowerModel
{
    private readonly FeatureEmbedder _embedding;
    private readonly SideFields _userFields, _itemFields;
    private readonly LightSe? _userSe, _itemSe;
    private readonly FeTower _userTower, _itemTower;
    private readonly PredictionBias _output;
    private readonly float _contrastiveWeight, _temperature;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public IntTower(FeatureLayout layout, ModelSettings settings)
    {
        _embedding = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        _userFields = new SideFields(_embedding, TowerSide.User, false, "inttower");
        _itemFields = new SideFields(_embedding, TowerSide.Item, false, "inttower");
        if (_userFields.Embedded.Count > 0) _userSe = RegisterModule("user_se", new LightSe(_userFields.Embedded.Count, settings.Seed + 51));
        if (_itemFields.Embedded.Count > 0) _itemSe = RegisterModule("item_se", new LightSe(_itemFields.Embedded.Count, settings.Seed + 52));
        int f = TowerSettings.PositiveInt(settings, "head_dim", 64);
        _userTower = RegisterModule("user_tower", new FeTower(TowerSettings.Read(settings, _userFields.Width, [300, 300, 300], 0.3f, 101),
            TowerSettings.PositiveInt(settings, "user_heads", 32), f, everyLayer: true, settings.Seed + 150));
        _itemTower = RegisterModule("item_tower", new FeTower(TowerSettings.Read(settings, _itemFields.Width, [300, 300, 300], 0.3f, 201),
            TowerSettings.PositiveInt(settings, "item_heads", 32), f, everyLayer: false, settings.Seed + 250));
        _contrastiveWeight = settings.Float("contrastive_weight", 0f);
        _temperature = settings.Float("temperature", 0.07f);
        if (_contrastiveWeight < 0f || _temperature <= 0f) throw new ArgumentException("Model 'inttower': contrastive_weight must be ≥ 0 and temperature > 0.");
        if (_contrastiveWeight > 0f && _userTower.Heads != _itemTower.Heads)
            throw new ArgumentException("Model 'inttower': the contrastive loss compares the last user and item projections, so user_heads must equal item_heads.");
        _output = RegisterModule("output", new PredictionBias());
    }

    /// <inheritdoc />
    public override string Name => "inttower";

    /// <summary>Scores; with contrastive_weight &gt; 0, a training forward also sets the contrastive loss.</summary>
    public override Tensor Forward(ModelInput input)
    {
        var (user, userLast) = _userTower.Forward(Refined(input, _userFields, _userSe));
        var (ad, adLast) = _itemTower.Forward(Refined(input, _itemFields, _itemSe));
        AuxiliaryLoss = IsTraining && Autograd.IsEnabled && _contrastiveWeight > 0f
            ? Ops.Mul(TowerScores.InBatchContrastive(userLast, adLast, input.Labels, input.Weights, _temperature), _contrastiveWeight)
            : null;
        return Score(user, ad);
    }

    /// <summary>User head vectors of every FE projection. // (B, L·H_u, f)</summary>
    public Tensor EncodeUser(ModelInput input) => _userTower.Forward(Refined(input, _userFields, _userSe)).Heads;

    /// <summary>Item head vectors (cacheable). // (B, H_i, f)</summary>
    public Tensor EncodeAd(ModelInput input) => _itemTower.Forward(Refined(input, _itemFields, _itemSe)).Heads;

    /// <summary>Light interaction: Σ_u max_a uᵀa + b. (B, L·H_u, f), (B, H_i, f) → (B)</summary>
    public Tensor Score(Tensor user, Tensor ad) => _output.Forward(TowerScores.MaxSum(user, ad));

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => _embedding.TableParameters();

    // LightSE over the embedded fields, flattened, then the dense values: (B, Σ D + n).
    private static Tensor Refined(ModelInput input, SideFields fields, LightSe? se)
    {
        if (se is null) return fields.Concat(input);
        int b = input.Count;
        var refined = se.Forward(fields.Stacked(input));
        var flat = Ops.Reshape(refined, [b, refined.Size / b]);
        var dense = fields.DenseValues(input);
        return dense is null ? flat : Ops.Concat([flat, dense], 1);
    }
}
