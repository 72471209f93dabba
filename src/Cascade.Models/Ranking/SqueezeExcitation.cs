using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// The SE block COLD uses for feature gating (Wang et al. 2020, §3.2; SENET of Hu et al. 2018 as FiBiNET's
/// SENETLayer): squeeze z_f = mean_d e_fd (B, F); excitation a = σ₂(W₂ σ₁(W₁ z)) with W₁ (F/r, F), W₂ (F, F/r),
/// no biases; re-weight v_f = a_f · e_f. E (B, F, D) → (B, F, D). σ₁ = ReLU; σ₂ = ReLU as in IntTower's
/// SENETLayer (reduction r = 2 in model/cold.py) or sigmoid as in SENet. Weights U(±1/√in) (PyTorch default).
/// With <c>residual</c> the output is e_f + a_f · e_f, as the SENETLayer of the scripts' later layers/interaction.py
/// (the version that defines the LightSE cold.py imports); without it v_f = a_f · e_f (SENet, and the earlier file).
/// </summary>
public sealed class SqueezeExcitation : Module
{
    private readonly Linear _reduce;
    private readonly Linear _expand;

    /// <summary>Creates the block for <paramref name="fields"/> fields with reduction ratio <paramref name="reduction"/>.</summary>
    public SqueezeExcitation(int fields, int reduction = 2, Activation gate = Activation.Relu, ulong seed = 1, bool residual = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fields, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reduction, 1);
        if (gate is not (Activation.Relu or Activation.Sigmoid)) throw new ArgumentException($"SE gate must be relu or sigmoid, got {gate}.", nameof(gate));
        Fields = fields;
        Gate = gate;
        Residual = residual;
        int hidden = Math.Max(1, fields / reduction);
        _reduce = RegisterModule("excitation0", new Linear(fields, hidden, bias: false, seed: seed));
        _expand = RegisterModule("excitation1", new Linear(hidden, fields, bias: false, seed: seed + 1));
        RankerInit.TorchLinearDefault(_reduce.Weight, seed);
        RankerInit.TorchLinearDefault(_expand.Weight, seed + 1);
    }

    /// <summary>F.</summary>
    public int Fields { get; }

    /// <summary>Whether the input is added back: e_f + a_f · e_f.</summary>
    public bool Residual { get; }

    /// <summary>The final gate σ₂.</summary>
    public Activation Gate { get; }

    /// <summary>W₁ (F/r, F).</summary>
    public Parameter Reduce => _reduce.Weight;

    /// <summary>W₂ (F, F/r).</summary>
    public Parameter Expand => _expand.Weight;

    /// <summary>The field weights a (B, F) of <paramref name="e"/> (B, F, D).</summary>
    public Tensor Weights(Tensor e)
    {
        if (e.Rank != 3 || e.Dim(1) != Fields)
            throw new ArgumentException($"SqueezeExcitation(F={Fields}): input {ShapeUtil.Format(e.Shape)} must be (B, {Fields}, D).", nameof(e));
        var z = Ops.Mean(e, 2); // squeeze (B, F)
        var h = Ops.Relu(_reduce.Forward(z)); // (B, F/r)
        return ActivationOps.Apply(Gate, _expand.Forward(h)); // excitation (B, F)
    }

    /// <summary>v_f = a_f · e_f, or e_f + a_f · e_f with <see cref="Residual"/>. // (B, F, D) → (B, F, D)</summary>
    public Tensor Forward(Tensor e)
    {
        var v = Ops.Mul(e, Ops.Unsqueeze(Weights(e), 2));
        return Residual ? Ops.Add(e, v) : v;
    }
}
