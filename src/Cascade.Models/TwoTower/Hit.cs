using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// HIT, the Hierarchical Interaction-enhanced Two-tower model (Yang et al., HIT §4). Each tower has
/// <list type="bullet">
/// <item>generators (coarse-grained generation, Eq. 3): a target generator trained on positives and a non-target
/// generator trained on negatives (K = 2), each an MLP [64, 32] → p = z·J fed only the own side's static features,
/// mimicking the opposite tower's representer output;</item>
/// <item>the mimic vectors, L2-normalised, concatenated with the field embeddings (Eq. 4) into the DNN [300, 300, 32];</item>
/// <item>a multi-head representer (fine-grained matching, Eq. 5–6): J heads of z dims.</item>
/// </list>
/// Score (Eq. 7): ŷ = Σ_{j_u} max_{j_a} r_u,(j_u)ᵀ r_a,(j_a) (+ a learned bias, IntTower's PredictionLayer), p = σ(ŷ).
/// Loss (Eq. 10): L = L_c + α (L_gu + L_ga); the generation loss (Eq. 8) is set as <see cref="CtrModel.AuxiliaryLoss"/>
/// during a training forward: L_gδ = (1/N) Σ_i w_i [y_i Dist(g_1, sg(r_opp)) + (1 − y_i) Dist(g_2, sg(r_opp))], with
/// r_opp the opposite tower's concatenated heads (B, J·z) and Dist = 1 − cos (the paper's −cos up to a constant).
/// Stop-gradients on the generator input and output and on r_opp mean the generation loss trains only the
/// generators and the prediction loss never reaches them.
/// <para>
/// Reading of the paper where it is silent: the user-tower generators mimic the ad representer output and vice versa
/// (§4.1 "generators in the user tower simulate ad representations"); the tower DNNs use batch norm and ReLU on every
/// layer as in the IntTower code base HIT's experiments build on; the tower output h^i is not normalised before the
/// representer.
/// </para>
/// Parameters: see <see cref="HitOptions"/>. Serving: EncodeAd gives the cacheable (B, J, z) ad heads, EncodeUser the
/// (B, J, z) user heads, Score the max-then-sum.
/// </summary>
[Model("hit", "HIT hierarchical interaction two-tower: static-feature generators + multi-head representers, max-then-sum (Yang et al.)")]
public sealed partial class Hit : CtrModel, ITwoTowerModel
{
    private readonly FeatureEmbedder _embedding;
    private readonly PredictionBias? _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Hit(FeatureLayout layout, ModelSettings settings)
    {
        Options = HitOptions.Read(settings);
        _embedding = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        // p = z·J: the mimic vector lives in the opposite representer's concatenated head space (§4.3.1).
        int p = Options.Representers ? Options.Heads * Options.HeadDim : Options.Tower[^1];
        UserTower = RegisterModule("user_tower", new HitTower(_embedding, TowerSide.User, Options, p, settings.Seed + 100));
        AdTower = RegisterModule("ad_tower", new HitTower(_embedding, TowerSide.Item, Options, p, settings.Seed + 200));
        if (Options.OutputBias) _output = RegisterModule("output", new PredictionBias());
    }

    /// <summary>The options in effect.</summary>
    public HitOptions Options { get; }

    /// <summary>The user tower.</summary>
    public HitTower UserTower { get; }

    /// <summary>The ad tower.</summary>
    public HitTower AdTower { get; }

    /// <inheritdoc />
    public override string Name => "hit";

    /// <summary>Scores; in a training forward also sets <see cref="CtrModel.AuxiliaryLoss"/> = α (L_gu + L_ga).</summary>
    public override Tensor Forward(ModelInput input)
    {
        // The towers are independent until the score: two cores run them side by side, forward and backward
        // (bit-identical to running them in turn; docs/design/kernels.md "Parallel training step").
        var (u, a) = ParallelBranches.Run(() => Flatten(UserTower.Forward(input)), () => Flatten(AdTower.Forward(input)));
        var user = Unflatten(u);
        var ad = Unflatten(a);
        AuxiliaryLoss = IsTraining && Autograd.IsEnabled && Options.GeneratorCount > 0 ? WeightedGenerationLoss(user, ad, input) : null;
        return Score(user.Heads, ad.Heads);
    }

    /// <summary>User heads r_u. // (B, J, z)</summary>
    public Tensor EncodeUser(ModelInput input) => UserTower.Forward(input).Heads;

    /// <summary>Ad heads r_a, cacheable per ad. // (B, J, z)</summary>
    public Tensor EncodeAd(ModelInput input) => AdTower.Forward(input).Heads;

    /// <summary>HIT Eq. (7): Σ over user heads of the max over ad heads of r_uᵀ r_a, plus the bias. (B, J, z), (B, J, z) → (B)</summary>
    public Tensor Score(Tensor user, Tensor ad)
    {
        var s = TowerScores.MaxSum(user, ad);
        return _output is null ? s : _output.Forward(s);
    }

    /// <summary>α (L_gu + L_ga) of Eq. (8)/(10) for a batch, computed in whatever mode the model is in. Scalar.</summary>
    public Tensor GenerationLoss(ModelInput input)
    {
        if (Options.GeneratorCount == 0) throw new InvalidOperationException("This HIT configuration has no generators (generators=false), so it has no generation loss.");
        return GenerationLoss(UserTower.Forward(input), AdTower.Forward(input), input);
    }

    /// <summary>α (L_gu + L_ga) from tower outputs already computed (the representer heads are detached inside). Scalar.</summary>
    public Tensor GenerationLoss(HitTowerOutput user, HitTowerOutput ad, ModelInput input) => WeightedGenerationLoss(user, ad, input);

    /// <summary>Parameters of all four generators.</summary>
    public IEnumerable<Parameter> GeneratorParameters() => UserTower.GeneratorParameters().Concat(AdTower.GeneratorParameters());

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => _embedding.TableParameters();

    private Tensor WeightedGenerationLoss(HitTowerOutput user, HitTowerOutput ad, ModelInput input)
    {
        int b = input.Count;
        // Stop-gradient on the representer outputs inside the generation loss (§4.3.3).
        var userTarget = Ops.Reshape(user.Heads.Detach(), [b, user.Heads.Size / b]); // (B, J·z)
        var adTarget = Ops.Reshape(ad.Heads.Detach(), [b, ad.Heads.Size / b]);       // (B, J·z)
        var lossU = SideLoss(user.Generated, adTarget, input);  // user generators mimic the ad
        var lossA = SideLoss(ad.Generated, userTarget, input);  // ad generators mimic the user
        return Ops.Mul(Ops.Add(lossU, lossA), Options.Alpha);
    }

    private static Tensor?[] Flatten(HitTowerOutput o) => [o.Heads, o.Generated[0], o.Generated[1]];

    private static HitTowerOutput Unflatten(Tensor?[] parts) => new(parts[0]!, [parts[1], parts[2]]);

    // HIT Eq. (8): (1/N) Σ_i w_i [y_i Dist(g_1, r) + (1 − y_i) Dist(g_2, r)].
    private Tensor SideLoss(Tensor?[] generated, Tensor target, ModelInput input)
    {
        var y = input.Labels;
        Tensor? sum = null;
        if (generated[0] is { } g1) sum = Ops.Sum(Ops.Mul(Distance(g1, target), Ops.Mul(y, input.Weights)));
        if (generated[1] is { } g2)
        {
            var t = Ops.Sum(Ops.Mul(Distance(g2, target), Ops.Mul(Ops.Sub(1f, y), input.Weights)));
            sum = sum is null ? t : Ops.Add(sum, t);
        }
        return Ops.Div(sum!, Math.Max(1, input.Count));
    }

    private Tensor Distance(Tensor generated, Tensor target) => Options.Distance switch
    {
        GenerationDistance.Cosine => Ops.Sub(1f, Ops.CosineSimilarity(generated, target)),     // (B)
        GenerationDistance.Mse => Ops.Mean(Ops.Pow(Ops.Sub(generated, target), 2f), 1),      // (B)
        _ => Ops.Mean(Ops.Abs(Ops.Sub(generated, target)), 1),                                 // (B)
    };
}
