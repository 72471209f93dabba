using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;
using BagMode = Cascade.Kernels.BagMode;

namespace Cascade.Models.TwoTower;

/// <summary>
/// DAT, the Dual Augmented Two-tower model (Yu et al. 2021). Each user id and each item id owns a learned augmented
/// vector (a_u, a_v) that is concatenated to its tower's input; the adaptive-mimic mechanism trains a_u to mimic the
/// item tower's output on positive pairs and a_v to mimic the user tower's output:
/// L_u = (1/N) Σ_i w_i y_i ‖a_u − sg(p_v)‖², L_v = (1/N) Σ_i w_i y_i ‖a_v − sg(p_u)‖², with p the L2-normalised tower
/// outputs and sg the stop-gradient; <see cref="CtrModel.AuxiliaryLoss"/> = λ (L_u + L_v) in a training forward.
/// The augmented vectors also receive the prediction loss's gradient through the towers.
/// <para>
/// IntTower's <c>model/DAT.py</c> (the script behind HIT Table 2's DAT row) draws a_u and a_v from torch.rand at
/// every forward pass, so its "augmented vectors" are noise and its mimic loss trains nothing; we follow the DAT
/// paper instead (learned vectors, stop-gradient on the tower outputs). Towers (300, 300, 32) with batch norm and the
/// cosine + bias score are as in that script; the category alignment loss of the DAT paper is not included.
/// </para>
/// Parameters: <c>tower</c> (300,300,32), <c>batch_norm</c>, <c>dropout</c> (0), <c>gamma</c> (1), <c>mimic_weight</c>
/// λ (1), <c>user_id_feature</c> / <c>item_id_feature</c> (default: the first sparse user / item feature).
/// Serving: EncodeUser (B, D), EncodeAd (B, D) cacheable (a_v is per ad), Score = γ·cos + b.
/// </summary>
[Model("dat", "DAT dual augmented two-tower with the adaptive-mimic mechanism (Yu et al. 2021)")]
public sealed class Dat : CtrModel, ITwoTowerModel
{
    private readonly FeatureEmbedder _embedding;
    private readonly SideFields _userFields, _itemFields;
    private readonly string _userId, _itemId;
    private readonly EmbeddingBag _userAugment, _itemAugment;
    private readonly Mlp _userTower, _itemTower;
    private readonly PredictionBias _output;
    private readonly float _gamma, _mimicWeight;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Dat(FeatureLayout layout, ModelSettings settings)
    {
        _embedding = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        _userFields = new SideFields(_embedding, TowerSide.User, false, "dat");
        _itemFields = new SideFields(_embedding, TowerSide.Item, false, "dat");
        var userTower = TowerSettings.Read(settings, 1, [300, 300, 32], 0f, 101);
        int augment = userTower.HiddenSizes[^1]; // a_u mimics p_v, so it has the tower output's width
        _userId = IdFeature(layout, settings, "user_id_feature", FeatureSide.User);
        _itemId = IdFeature(layout, settings, "item_id_feature", FeatureSide.Item);
        _userAugment = RegisterModule("user_augment", new EmbeddingBag(new EmbeddingOptions(layout[_userId].TableSize, augment,
            InitStd: settings.EmbeddingInitStd, Seed: settings.Seed + 31, Sparse: true), BagMode.Sum));
        _itemAugment = RegisterModule("item_augment", new EmbeddingBag(new EmbeddingOptions(layout[_itemId].TableSize, augment,
            InitStd: settings.EmbeddingInitStd, Seed: settings.Seed + 32, Sparse: true), BagMode.Sum));
        _userTower = RegisterModule("user_tower", new Mlp(userTower with { InputSize = _userFields.Width + augment }));
        _itemTower = RegisterModule("item_tower", new Mlp(TowerSettings.Read(settings, _itemFields.Width + augment, [300, 300, 32], 0f, 201)));
        _gamma = settings.Float("gamma", 1f);
        _mimicWeight = settings.Float("mimic_weight", 1f);
        _output = RegisterModule("output", new PredictionBias());
    }

    /// <inheritdoc />
    public override string Name => "dat";

    /// <summary>Scores; in a training forward also sets the mimic loss λ (L_u + L_v).</summary>
    public override Tensor Forward(ModelInput input)
    {
        var au = _userAugment.Forward(input.SparseIds(_userId)); // (B, A)
        var av = _itemAugment.Forward(input.SparseIds(_itemId)); // (B, A)
        var pu = _userTower.Forward(Ops.Concat([_userFields.Concat(input), au], 1)); // (B, A)
        var pv = _itemTower.Forward(Ops.Concat([_itemFields.Concat(input), av], 1)); // (B, A)
        AuxiliaryLoss = IsTraining && Autograd.IsEnabled ? MimicLoss(au, av, pu, pv, input) : null;
        return Score(pu, pv);
    }

    /// <summary>User tower output on [e_u, a_u]. // (B, A)</summary>
    public Tensor EncodeUser(ModelInput input) =>
        _userTower.Forward(Ops.Concat([_userFields.Concat(input), _userAugment.Forward(input.SparseIds(_userId))], 1));

    /// <summary>Item tower output on [e_v, a_v] (cacheable). // (B, A)</summary>
    public Tensor EncodeAd(ModelInput input) =>
        _itemTower.Forward(Ops.Concat([_itemFields.Concat(input), _itemAugment.Forward(input.SparseIds(_itemId))], 1));

    /// <summary>logit = γ · cos(p_u, p_v) + b. (B, A), (B, A) → (B)</summary>
    public Tensor Score(Tensor user, Tensor ad) => _output.Forward(TowerScores.Cosine(user, ad, _gamma));

    /// <summary>The adaptive-mimic loss λ (L_u + L_v) of a batch, in the model's current mode. Scalar.</summary>
    public Tensor MimicLoss(ModelInput input)
    {
        var au = _userAugment.Forward(input.SparseIds(_userId));
        var av = _itemAugment.Forward(input.SparseIds(_itemId));
        var pu = _userTower.Forward(Ops.Concat([_userFields.Concat(input), au], 1));
        var pv = _itemTower.Forward(Ops.Concat([_itemFields.Concat(input), av], 1));
        return MimicLoss(au, av, pu, pv, input);
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() =>
        _embedding.TableParameters().Append(_userAugment.Table).Append(_itemAugment.Table);

    private Tensor MimicLoss(Tensor au, Tensor av, Tensor pu, Tensor pv, ModelInput input)
    {
        var w = Ops.Mul(input.Labels, input.Weights); // only positives carry the mimic target
        var targetV = Ops.L2Normalize(pv.Detach());   // sg(p_v) (B, A)
        var targetU = Ops.L2Normalize(pu.Detach());   // sg(p_u) (B, A)
        var lu = Ops.Sum(Ops.Mul(Ops.Sum(Ops.Pow(Ops.Sub(au, targetV), 2f), 1), w));
        var lv = Ops.Sum(Ops.Mul(Ops.Sum(Ops.Pow(Ops.Sub(av, targetU), 2f), 1), w));
        return Ops.Mul(Ops.Add(lu, lv), _mimicWeight / Math.Max(1, input.Count));
    }

    private static string IdFeature(FeatureLayout layout, ModelSettings settings, string key, FeatureSide side)
    {
        var first = layout.Slots.FirstOrDefault(s => s.Block == FeatureBlock.Sparse && s.Feature.Side == side);
        string name = settings.String(key, first?.Feature.Name ?? "");
        var slot = layout.Slots.FirstOrDefault(s => s.Feature.Name == name);
        if (slot is null || slot.Block != FeatureBlock.Sparse)
            throw new ArgumentException($"Model 'dat' parameter '{key}': '{name}' is not a sparse feature of the schema; DAT needs a {side.ToString().ToLowerInvariant()} id for its augmented vectors.");
        return name;
    }
}
