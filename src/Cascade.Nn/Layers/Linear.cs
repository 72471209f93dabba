using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>
/// Affine map y = x · Wᵀ + b with W (out, in) and b (out) in PyTorch layout (so checkpoints exchange without
/// transposes); x (…, in) → (…, out) through the fused <see cref="Ops.Linear"/>. Weight init Xavier uniform by
/// default (Glorot 2010), bias zeros.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer with a seeded initialisation.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, ulong seed = 1, InitScheme init = InitScheme.XavierUniform)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var w = Tensor.Zeros([outFeatures, inFeatures]);
        init.Apply(w, new Rng(seed));
        Weight = RegisterParameter("weight", new Parameter(w)); // (out, in)
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([outFeatures]), group: Parameter.NoDecayGroup)); // (out)
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>W (out, in).</summary>
    public Parameter Weight { get; }

    /// <summary>b (out), or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <summary>x (…, in) → (…, out).</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Dim(-1) != InFeatures)
            throw new ArgumentException($"Linear({InFeatures}→{OutFeatures}): input {ShapeUtil.Format(x.Shape)} must end with {InFeatures} features.", nameof(x));
        return Ops.Linear(x, Weight, Bias?.Value);
    }
}
