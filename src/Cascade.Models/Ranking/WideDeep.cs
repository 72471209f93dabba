using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// Wide &amp; Deep (Cheng et al. 2016): logit = y_lin (wide) + w_outᵀ · DNN([R(e_1); …; R(e_F); x_dense]) (deep) + b,
/// as DeepCTR-Torch's WDL with IntTower's model/wdm.py on top: R is the <see cref="SimNonLocal"/> field re-weighting
/// that wdm.py applies to the field embeddings before the DNN (<c>field_reweighting: simnonlocal</c>, the default), or
/// the identity (<c>none</c>: the plain Wide&amp;Deep of the paper and of DeepCTR). The wide part sees every field
/// (ids through their 1-dim weight tables, dense values through a weight vector), without hand-made cross features,
/// as in the scripts, whose linear_feature_columns are all the features. Knobs: field_reweighting, hidden_units
/// (300,300,128), dropout 0.1, batch_norm false, activation relu, dnn_init_std 1e-4, dnn_bias_init uniform
/// (<see cref="DeepOptions"/>).
/// Note: wdm.py as published imports LightSE but calls SimNonLocal, which only the older layers/interaction.py
/// defines (docs/design/table2-gaps.md); the block is the one its forward pass names.
/// </summary>
[Model("wide-deep", "Wide & Deep (Cheng et al. 2016): linear part plus a DNN over all field embeddings and dense values")]
public sealed class WideDeep : Ranker
{
    private readonly Mlp _deep;
    private readonly Linear _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public WideDeep(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        string reweighting = settings.String("field_reweighting", "simnonlocal");
        Reweighting = reweighting.ToLowerInvariant() switch
        {
            "simnonlocal" => RegisterModule("sim_non_local", new SimNonLocal(FieldCount, settings.Seed + 19)),
            "none" => null,
            _ => throw new ArgumentException($"Model 'wide-deep' parameter 'field_reweighting': expected simnonlocal or none, got '{reweighting}'."),
        };
        Deep = DeepOptions.Read(settings);
        if (!Deep.Enabled) throw new ArgumentException("Model 'wide-deep' needs at least one hidden layer ('hidden_units'); without the deep part use 'lr'.");
        _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
        _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(_deep.OutputSize, settings.Seed + 13));
    }

    /// <inheritdoc />
    public override string Name => "wide-deep";

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>The field re-weighting before the DNN, or null for the plain Wide&amp;Deep.</summary>
    public SimNonLocal? Reweighting { get; }

    /// <summary>Deep logit w_outᵀ · DNN([R(E); x_dense]). // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields)
    {
        var e = Reweighting is null ? fields : Reweighting.Forward(fields); // (B, F, D)
        return Flatten(_output.Forward(_deep.Forward(DeepInput(input, e))), input.Count);
    }
}
