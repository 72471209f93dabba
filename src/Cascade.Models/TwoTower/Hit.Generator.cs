using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// HIT generator g_k (Eq. 3): an MLP with two ReLU hidden layers ([64, 32]) and a linear output of p = z·J that
/// reads only the own side's static features and produces a mimic of the opposite tower's representation.
/// Both its input and its output are cut from the graph (stop-gradient), so only the generation loss trains it.
/// </summary>
public sealed class Generator : Module
{
    private readonly Mlp _mlp;

    /// <summary>Creates a generator from <paramref name="inputSize"/> inputs to <paramref name="outputSize"/> = p.</summary>
    public Generator(int inputSize, int[] hidden, int outputSize, ulong seed)
    {
        OutputSize = outputSize;
        _mlp = RegisterModule("mlp", new Mlp(new MlpOptions(inputSize, [.. hidden, outputSize], Activation.Relu, ActivateLast: false, Seed: seed)));
    }

    /// <summary>p, the mimic vector width.</summary>
    public int OutputSize { get; }

    /// <summary>r^m_k = g_k(x_b). x (B, n_b) must already be detached. → (B, p), with gradients to the generator only.</summary>
    public Tensor Forward(Tensor staticInput) => _mlp.Forward(staticInput);
}

/// <summary>
/// HIT multi-head representer (Eq. 5–6): J affine maps r_(j) = W_(j) h + b_(j) of the tower output h (d_L) to z dims,
/// computed as one (d_L → J·z) linear layer and viewed as (B, J, z).
/// </summary>
public sealed class MultiHeadRepresenter : Module
{
    private readonly Linear _projection;

    /// <summary>Creates J heads of z dims over a d_L-wide tower output.</summary>
    public MultiHeadRepresenter(int towerWidth, int heads, int headDim, ulong seed)
    {
        Heads = heads;
        HeadDim = headDim;
        _projection = RegisterModule("projection", new Linear(towerWidth, heads * headDim, seed: seed));
    }

    /// <summary>J.</summary>
    public int Heads { get; }

    /// <summary>z.</summary>
    public int HeadDim { get; }

    /// <summary>h (B, d_L) → r (B, J, z).</summary>
    public Tensor Forward(Tensor h) => Ops.Reshape(_projection.Forward(h), [h.Dim(0), Heads, HeadDim]);
}
