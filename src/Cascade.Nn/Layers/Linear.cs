using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>
/// Affine map y = x · W + b with W (in, out) and b (out); x (…, in) → (…, out). W is stored (in, out) so the
/// forward is one GEMM without a transpose (PyTorch stores (out, in): transpose when exchanging checkpoints).
/// Weight init Xavier uniform by default (Glorot 2010), bias zeros.
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
        var w = Tensor.Zeros([inFeatures, outFeatures]);
        init.Apply(w, new Rng(seed));
        Weight = RegisterParameter("weight", new Parameter(w)); // (in, out)
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([outFeatures]), group: Parameter.NoDecayGroup)); // (out)
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>W (in, out).</summary>
    public Parameter Weight { get; }

    /// <summary>b (out), or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <summary>x (…, in) → (…, out).</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Dim(-1) != InFeatures)
            throw new ArgumentException($"Linear({InFeatures}→{OutFeatures}): input {ShapeUtil.Format(x.Shape)} must end with {InFeatures} features.");
        var flat = x.Rank == 2 ? x : Ops.Reshape(x, [-1, InFeatures]); // (N, in)
        var y = Ops.MatMul(flat, Weight);                               // (N, out)
        if (Bias is not null) y = Ops.Add(y, Bias);
        if (x.Rank == 2) return y;
        var shape = x.ShapeArray;
        shape[^1] = OutFeatures;
        return Ops.Reshape(y, shape);
    }
}
