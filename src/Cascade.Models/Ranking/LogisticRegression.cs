using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// Logistic regression: logit = Σ_f w_f[id_f] + x_denseᵀ · w_dense + b, i.e. the <see cref="LinearPart"/> of the
/// rankers plus a bias, with no embeddings and no interactions. It is the floor every interaction model must beat.
/// Not in IntTower's scripts; built from DeepCTR's linear_model so that it matches the wide part of the other rankers.
/// Knobs: none beyond the common settings (embedding σ for the weight tables, seed).
/// </summary>
[Model("lr", "Logistic regression: per-id weights, dense weights and a bias (the linear part of DeepCTR's rankers)")]
public sealed class LogisticRegression : CtrModel
{
    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public LogisticRegression(FeatureLayout layout, ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Linear = RegisterModule("linear", new LinearPart(layout, settings.EmbeddingInitStd, settings.Seed + 7919));
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([1]), group: Parameter.NoDecayGroup)); // (1)
    }

    /// <inheritdoc />
    public override string Name => "lr";

    /// <summary>The weights.</summary>
    public LinearPart Linear { get; }

    /// <summary>The bias. // (1)</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => Linear.TableParameters();

    /// <summary>logit = y_lin + b. // (B)</summary>
    public override Tensor Forward(ModelInput input) => Ops.Add(Linear.Forward(input), Bias.Value);
}
