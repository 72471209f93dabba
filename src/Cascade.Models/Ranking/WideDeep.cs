using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// Wide &amp; Deep (Cheng et al. 2016): logit = y_lin (wide) + w_outᵀ · DNN([e_1; …; e_F; x_dense]) (deep) + b,
/// as DeepCTR-Torch's WDL. Knobs: hidden_units (300,300,128), dropout 0.1, batch_norm false, activation relu,
/// dnn_init_std 1e-4 (<see cref="DeepOptions"/>).
/// Deviation: IntTower's model/wdm.py passes the field embeddings through a "SimNonLocal" re-weighting block before
/// the DNN (a class the file does not import); we build the plain Wide&amp;Deep of the paper and of DeepCTR.
/// The wide part takes the raw ids only (no hand-made cross features), as in DeepCTR.
/// </summary>
[Model("wide-deep", "Wide & Deep (Cheng et al. 2016): linear part plus a DNN over all field embeddings and dense values")]
public sealed class WideDeep : Ranker
{
    private readonly Mlp _deep;
    private readonly Linear _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public WideDeep(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        Deep = DeepOptions.Read(settings);
        if (!Deep.Enabled) throw new ArgumentException("Model 'wide-deep' needs at least one hidden layer ('hidden_units'); without the deep part use 'lr'.");
        _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
        _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(_deep.OutputSize, settings.Seed + 13));
    }

    /// <inheritdoc />
    public override string Name => "wide-deep";

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>Deep logit w_outᵀ · DNN(x). // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields) =>
        Flatten(_output.Forward(_deep.Forward(DeepInput(input, fields))), input.Count);
}
