using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models;

/// <summary>What a model's <see cref="CtrModel.Forward"/> returns.</summary>
public enum ScoreKind
{
    /// <summary>Logits: p = sigmoid(score). Most models.</summary>
    Logit,
    /// <summary>Probabilities already in [0, 1], for models whose output layer is not a logit (none of the zoo today: IntTower's DSSM applies a bias and a sigmoid to its cosine).</summary>
    Probability,
}

/// <summary>
/// Base of every click-through model: a <see cref="Module"/> that maps a batch to one score per row. The trainer
/// adds the BCE loss on the scores and any <see cref="AuxiliaryLoss"/> the forward pass produced (HIT's generation
/// loss, DAT's mimic loss).
/// </summary>
public abstract class CtrModel : Module
{
    /// <summary>Name as registered in the <see cref="ModelZoo"/>.</summary>
    public abstract string Name { get; }

    /// <summary>What <see cref="Forward"/> returns.</summary>
    public virtual ScoreKind ScoreKind => ScoreKind.Logit;

    /// <summary>Scores of the batch rows. // (B)</summary>
    public abstract Tensor Forward(ModelInput input);

    /// <summary>
    /// Extra loss terms of the last training forward pass (already weighted by the model's own coefficients), or
    /// null. Read by the trainer right after <see cref="Forward"/>.
    /// </summary>
    public Tensor? AuxiliaryLoss { get; protected set; }

    /// <summary>Parameters that receive the L2 penalty on embeddings (default: none).</summary>
    public virtual IEnumerable<Parameter> EmbeddingParameters() => [];

    /// <summary>
    /// Prediction loss of the scores: BCE with logits, or BCE on probabilities clipped to [1e-7, 1 − 1e-7]
    /// for <see cref="ScoreKind.Probability"/>; sample weights honoured. Scalar.
    /// </summary>
    public Tensor PredictionLoss(Tensor scores, ModelInput input, LossReduction reduction)
    {
        if (ScoreKind == ScoreKind.Logit) return Ops.BinaryCrossEntropyWithLogits(scores, input.Labels, input.Weights, reduction);
        var p = Ops.Clamp(scores, 1e-7f, 1f - 1e-7f);
        var y = input.Labels;
        // −[y log p + (1 − y) log(1 − p)] · w
        var ll = Ops.Add(Ops.Mul(y, Ops.Log(p)), Ops.Mul(Ops.Sub(1f, y), Ops.Log(Ops.Sub(1f, p))));
        var weighted = Ops.Neg(Ops.Mul(ll, input.Weights));
        return reduction == LossReduction.Sum ? Ops.Sum(weighted) : Ops.Div(Ops.Sum(weighted), Math.Max(1, input.Count));
    }

    /// <summary>Probabilities for the batch rows, computed without recording gradients, in eval mode semantics of the caller.</summary>
    public float[] Predict(ModelInput input)
    {
        using var _ = Autograd.NoGrad();
        var s = Forward(input);
        var p = new float[input.Count];
        var src = s.Span;
        if (ScoreKind == ScoreKind.Probability) src.CopyTo(p);
        else System.Numerics.Tensors.TensorPrimitives.Sigmoid(src, p);
        return p;
    }
}

/// <summary>
/// A model split into a user side and an ad side (DESIGN.md §1): ad representations are computed ahead of time and
/// cached; per request only the user side and the scorer run. Training calls <see cref="CtrModel.Forward"/>, which
/// must equal Score(EncodeUser, EncodeAd).
/// </summary>
public interface ITwoTowerModel
{
    /// <summary>User-side representation. Shape is model-specific, first axis B (e.g. (B, D), or (B, J, z) for HIT).</summary>
    Tensor EncodeUser(ModelInput input);

    /// <summary>Ad-side representation (cacheable). First axis B.</summary>
    Tensor EncodeAd(ModelInput input);

    /// <summary>Scores of aligned rows of user and ad representations. // (B)</summary>
    Tensor Score(Tensor user, Tensor ad);
}
