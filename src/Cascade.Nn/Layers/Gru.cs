using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>
/// Weights of <see cref="Gru"/> and <see cref="AuGru"/> in PyTorch layout and names (gate blocks [r, z, n]):
/// <c>weight_ih</c> (3H, D), <c>weight_hh</c> (3H, H), <c>bias_ih</c> (3H), <c>bias_hh</c> (3H), uniform in
/// ±1/√H as PyTorch initialises them. The recurrence is the fused <see cref="Ops.Gru"/> / <see cref="Ops.AuGru"/>.
/// </summary>
public abstract class GruBase : Module
{
    private protected GruBase(int inputSize, int hiddenSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var rng = new Rng(seed);
        float k = 1f / MathF.Sqrt(hiddenSize);
        Parameter Make(string name, int[] shape, string group)
        {
            var t = Tensor.Zeros(shape);
            Init.Uniform(t, rng, -k, k);
            return RegisterParameter(name, new Parameter(t, group: group));
        }
        var wih = Make("weight_ih", [3 * hiddenSize, inputSize], Parameter.DecayGroup);   // (3H, D)
        var whh = Make("weight_hh", [3 * hiddenSize, hiddenSize], Parameter.DecayGroup);  // (3H, H)
        var bih = Make("bias_ih", [3 * hiddenSize], Parameter.NoDecayGroup);              // (3H)
        var bhh = Make("bias_hh", [3 * hiddenSize], Parameter.NoDecayGroup);              // (3H)
        Weights = new GruWeights(wih, whh, bih, bhh);
    }

    /// <summary>Input width D.</summary>
    public int InputSize { get; }

    /// <summary>Hidden width H.</summary>
    public int HiddenSize { get; }

    /// <summary>The weights as the recurrent ops take them.</summary>
    public GruWeights Weights { get; }
}

/// <summary>Gated recurrent unit over (B, L, D) sequences (Cho et al. 2014; PyTorch equations, see <see cref="Ops.Gru"/>).</summary>
public sealed class Gru : GruBase
{
    /// <summary>Creates the layer.</summary>
    public Gru(int inputSize, int hiddenSize, ulong seed = 1) : base(inputSize, hiddenSize, seed) { }

    /// <summary>x (B, L, D), lengths (B) or null, h0 (B, H) or null → outputs (B, L, H) and final state (B, H).</summary>
    public RecurrentOutput Forward(Tensor x, IntTensor? lengths = null, Tensor? h0 = null) => Ops.Gru(x, lengths, Weights, h0);
}

/// <summary>
/// GRU with attentional update gate (DIEN, Zhou et al. 2019, Eq. 6): the update of step t is scaled by the attention
/// score a_t, so behaviours irrelevant to the target ad barely move the interest state (see <see cref="Ops.AuGru"/>).
/// </summary>
public sealed class AuGru : GruBase
{
    /// <summary>Creates the layer.</summary>
    public AuGru(int inputSize, int hiddenSize, ulong seed = 1) : base(inputSize, hiddenSize, seed) { }

    /// <summary>x (B, L, D), attention (B, L), lengths (B) or null, h0 (B, H) or null → outputs (B, L, H) and final state (B, H).</summary>
    public RecurrentOutput Forward(Tensor x, Tensor attention, IntTensor? lengths = null, Tensor? h0 = null) => Ops.AuGru(x, attention, lengths, Weights, h0);
}
