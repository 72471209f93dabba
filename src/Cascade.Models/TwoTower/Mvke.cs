using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// MVKE single-task (Xu et al. 2022, §4.1): the tag tower is a plain item tower (MLP (300, 300, 128), batch norm)
/// giving E_T; the user tower is K <see cref="VirtualKernelExperts"/> over the user field embeddings combined by the
/// <see cref="VirtualKernelGate"/>, which the ad embedding drives (Eq. 4–7); score logit = γ · cos(E_u, E_T) + b (Eq. 2,
/// with IntTower's bias).
/// Parameters: <c>kernels</c> K (3), <c>tower</c> (300,300,128), <c>batch_norm</c>, <c>dropout</c> (0), <c>gamma</c> (1),
/// <c>separate_expert_towers</c> (false: one f_u shared by the experts, which keeps the model near the paper's 0.84M
/// parameters on MovieLens).
/// Serving (MVKE §4.3): EncodeUser gives the K gate values V(E_u^k) (B, K, Dt); EncodeAd gives [E_T, g] (B, Dt + K),
/// the tag embedding and its gate weights, both cacheable; Score combines them.
/// </summary>
[Model("mvke", "MVKE single-task: virtual-kernel experts over user fields, gate driven by the ad embedding (Xu et al. 2022)")]
public sealed class Mvke : CtrModel, ITwoTowerModel
{
    private readonly FeatureEmbedder _embedding;
    private readonly SideFields _userFields, _itemFields;
    private readonly VirtualKernelExperts _experts;
    private readonly VirtualKernelGate _gate;
    private readonly Mlp _tagTower;
    private readonly PredictionBias _output;
    private readonly float _gamma;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Mvke(FeatureLayout layout, ModelSettings settings)
    {
        _embedding = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        _userFields = new SideFields(_embedding, TowerSide.User, false, "mvke");
        _itemFields = new SideFields(_embedding, TowerSide.Item, false, "mvke");
        if (_userFields.Embedded.Count == 0) throw new ArgumentException("Model 'mvke' needs embedded user-side fields for its experts to attend over.");
        int kernels = TowerSettings.PositiveInt(settings, "kernels", 3);
        int dim = _embedding.DimOf(_userFields.Embedded[0].Feature.Name);
        var tower = TowerSettings.Read(settings, 1, [300, 300, 128], 0f, 101);
        _experts = RegisterModule("experts", new VirtualKernelExperts(kernels, _userFields.Embedded.Count, dim, _userFields.Dense.Count,
            tower, settings.Bool("separate_expert_towers", false), settings.Seed + 300));
        _tagTower = RegisterModule("tag_tower", new Mlp(TowerSettings.Read(settings, _itemFields.Width, [300, 300, 128], 0f, 201)));
        _gate = RegisterModule("gate", new VirtualKernelGate(_tagTower.OutputSize, dim, _experts.OutputSize, settings.Seed + 400));
        _gamma = settings.Float("gamma", 1f);
        _output = RegisterModule("output", new PredictionBias());
        Kernels = kernels;
    }

    /// <summary>K.</summary>
    public int Kernels { get; }

    /// <inheritdoc />
    public override string Name => "mvke";

    /// <inheritdoc />
    public override Tensor Forward(ModelInput input) => Score(EncodeUser(input), EncodeAd(input));

    /// <summary>Gate values of the K experts, V(E_u^k). // (B, K, Dt)</summary>
    public Tensor EncodeUser(ModelInput input) =>
        _gate.Values(_experts.Forward(_userFields.Stacked(input), _userFields.DenseValues(input)));

    /// <summary>[E_T, gate weights g]. // (B, Dt + K)</summary>
    public Tensor EncodeAd(ModelInput input)
    {
        var tag = _tagTower.Forward(_itemFields.Concat(input));   // (B, Dt)
        var g = _gate.Weights(tag, _experts.VirtualKernels.Value); // (B, K)
        return Ops.Concat([tag, g], 1);
    }

    /// <summary>logit = γ · cos(Σ_k g_k V_k, E_T) + b. user (B, K, Dt), ad (B, Dt + K) → (B)</summary>
    public Tensor Score(Tensor user, Tensor ad)
    {
        int dt = user.Dim(2);
        if (ad.Dim(1) != dt + Kernels) throw new ArgumentException($"MVKE ad representation must be (B, {dt + Kernels}); got {ShapeUtil.Format(ad.Shape)}.");
        var tag = Ops.Slice(ad, 1, 0, dt);         // (B, Dt)
        var g = Ops.Slice(ad, 1, dt, Kernels);     // (B, K)
        var eu = VirtualKernelGate.Combine(user, g); // (B, Dt), MVKE Eq. (7)
        return _output.Forward(TowerScores.Cosine(eu, tag, _gamma));
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => _embedding.TableParameters();
}
