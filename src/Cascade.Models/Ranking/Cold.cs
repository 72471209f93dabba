using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// COLD (Wang et al. 2020, "Computing power cost-aware Online and Lightweight Deep pre-ranking system") as the
/// all-to-all baseline of IntTower/HIT: the field embeddings are gated by a <see cref="SqueezeExcitation"/> block,
/// flattened with the dense values and fed to an MLP; logit = y_lin + w_outᵀ · MLP([SE(E); x_dense]) + b, as
/// IntTower's model/cold.py. Knobs: se_reduction (2), se_gate (relu as IntTower's SENETLayer | sigmoid as SENet),
/// se_residual (true: SE(E) = E + a ⊙ E as the SENETLayer of the layers/interaction.py that cold.py's imports
/// need; false: a ⊙ E as SENet and the scripts' earlier file, the behaviour before 2026-11-28), and
/// <see cref="DeepOptions"/> (activation relu as IntTower; dice as the COLD paper's MLP).
/// Deviation: the COLD paper also prunes features by their SE weights and runs a 7-layer network in float16; neither
/// changes the model a ranking table compares, and neither is done here.
/// </summary>
[Model("cold", "COLD (Wang et al. 2020): SE-block feature gating + MLP (ReLU or Dice), as the IntTower/HIT baseline")]
public sealed class Cold : Ranker
{
    private readonly Mlp _deep;
    private readonly Linear _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Cold(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        int reduction = settings.Int("se_reduction", 2);
        if (reduction < 1) throw new ArgumentException($"Model 'cold' parameter 'se_reduction': expected ≥ 1, got {reduction}.");
        var gate = DeepOptions.ParseActivation(settings, "se_gate", "relu");
        if (gate is not (Activation.Relu or Activation.Sigmoid)) throw new ArgumentException($"Model 'cold' parameter 'se_gate': expected relu or sigmoid, got '{settings.String("se_gate", "relu")}'.");
        bool residual = settings.Bool("se_residual", true);
        Deep = DeepOptions.Read(settings);
        if (!Deep.Enabled) throw new ArgumentException("Model 'cold' needs at least one hidden layer ('hidden_units').");
        Se = RegisterModule("se", new SqueezeExcitation(FieldCount, reduction, gate, settings.Seed + 29, residual));
        _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
        _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(_deep.OutputSize, settings.Seed + 13));
    }

    /// <inheritdoc />
    public override string Name => "cold";

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>The SE feature-gating block.</summary>
    public SqueezeExcitation Se { get; }

    /// <summary>w_outᵀ · MLP([SE(E); x_dense]). // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields) =>
        Flatten(_output.Forward(_deep.Forward(DeepInput(input, Se.Forward(fields)))), input.Count);
}
