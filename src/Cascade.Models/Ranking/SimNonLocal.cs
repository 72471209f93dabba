using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// The field re-weighting block IntTower's <c>model/wdm.py</c> applies to the field embeddings before the Wide&amp;Deep
/// DNN (<c>SimNonLocal</c> in the scripts' older <c>layers/interaction.py</c>; the later LightSE is the same block
/// without the ReLU): squeeze z_f = mean_d e_fd (B, F); a = softmax_f(ReLU(W z)) with W (F, F) and no bias;
/// output e_f + a_f · e_f. E (B, F, D) → (B, F, D). W starts U(±1/√F) (PyTorch's default, which the scripts keep).
/// Each field is scaled by 1 + a_f ∈ (1, 2) with Σ_f a_f = 1, so the block is a mild, input-dependent emphasis of
/// some fields, not a gate that can switch one off.
/// </summary>
public sealed class SimNonLocal : Module
{
    private readonly Linear _excitation;

    /// <summary>Creates the block for <paramref name="fields"/> fields.</summary>
    public SimNonLocal(int fields, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fields, 1);
        Fields = fields;
        _excitation = RegisterModule("excitation", new Linear(fields, fields, bias: false, seed: seed));
        RankerInit.TorchLinearDefault(_excitation.Weight, seed);
    }

    /// <summary>F.</summary>
    public int Fields { get; }

    /// <summary>W (F, F).</summary>
    public Parameter Weight => _excitation.Weight;

    /// <summary>The field weights a = softmax_f(ReLU(W mean_d e)) (B, F) of <paramref name="e"/> (B, F, D).</summary>
    public Tensor Weights(Tensor e)
    {
        if (e.Rank != 3 || e.Dim(1) != Fields)
            throw new ArgumentException($"SimNonLocal(F={Fields}): input {ShapeUtil.Format(e.Shape)} must be (B, {Fields}, D).", nameof(e));
        return Ops.Softmax(Ops.Relu(_excitation.Forward(Ops.Mean(e, 2)))); // (B, F)
    }

    /// <summary>e_f + a_f · e_f. // (B, F, D) → (B, F, D)</summary>
    public Tensor Forward(Tensor e) => Ops.Add(e, Ops.Mul(e, Ops.Unsqueeze(Weights(e), 2)));
}
