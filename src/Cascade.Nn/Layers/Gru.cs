using Cascade.Nn.Functional;
using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>
/// Shared weights and cell of <see cref="Gru"/> and <see cref="AuGru"/> (Cho et al. 2014 gate equations):
/// u = σ(x W_u + h U_u + b_u), r = σ(x W_r + h U_r + b_r), h̃ = tanh(x W_h + (r ⊙ h) U_h + b_h),
/// h' = h + u' ⊙ (h̃ − h) where u' = u (GRU) or a_t · u (AUGRU). Input projections of all time steps are one
/// GEMM per gate over (B·L, D). Parameter names: <c>w_u, w_r, w_h</c> (D, H), <c>u_u, u_r, u_h</c> (H, H),
/// <c>b_u, b_r, b_h</c> (H).
/// </summary>
public abstract class GruBase : Module
{
    private readonly Parameter _wu, _wr, _wh, _uu, _ur, _uh, _bu, _br, _bh;

    private protected GruBase(int inputSize, int hiddenSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var rng = new Rng(seed);
        Parameter Weight(string name, int rows)
        {
            var t = Tensor.Zeros([rows, hiddenSize]);
            Init.XavierUniform(t, rng);
            return RegisterParameter(name, new Parameter(t));
        }
        Parameter Bias(string name) => RegisterParameter(name, new Parameter(Tensor.Zeros([hiddenSize]), group: Parameter.NoDecayGroup));
        _wu = Weight("w_u", inputSize); _wr = Weight("w_r", inputSize); _wh = Weight("w_h", inputSize);
        _uu = Weight("u_u", hiddenSize); _ur = Weight("u_r", hiddenSize); _uh = Weight("u_h", hiddenSize);
        _bu = Bias("b_u"); _br = Bias("b_r"); _bh = Bias("b_h");
    }

    /// <summary>Input width D.</summary>
    public int InputSize { get; }

    /// <summary>Hidden width H.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// Runs the recurrence. x (B, L, D); attention (B, L) or null; lengths (B) or null (all L). Steps at or after a
    /// sample's length carry its hidden state unchanged. Returns outputs (B, L, H) and the final state (B, H).
    /// </summary>
    private protected (Tensor Outputs, Tensor Last) Run(Tensor x, Tensor? attention, int[]? lengths)
    {
        if (x.Rank != 3 || x.Dim(2) != InputSize)
            throw new ArgumentException($"{GetType().Name}: input must be (B, L, {InputSize}); got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int b = x.Dim(0), l = x.Dim(1), hs = HiddenSize;
        if (lengths is not null && lengths.Length != b)
            throw new ArgumentException($"{GetType().Name}: lengths has {lengths.Length} entries for a batch of {b}.", nameof(lengths));
        var flat = Ops.Reshape(x, [b * l, InputSize]);                              // (B·L, D)
        var xu = Ops.Reshape(Ops.Add(Ops.MatMul(flat, _wu), _bu), [b, l, hs]);      // (B, L, H)
        var xr = Ops.Reshape(Ops.Add(Ops.MatMul(flat, _wr), _br), [b, l, hs]);
        var xh = Ops.Reshape(Ops.Add(Ops.MatMul(flat, _wh), _bh), [b, l, hs]);
        var att = attention is null ? null : Ops.Reshape(attention, [b, l, 1]);     // (B, L, 1)
        var h = Tensor.Zeros([b, hs]);                                              // (B, H)
        var outputs = new Tensor[l];
        for (int t = 0; t < l; t++)
        {
            var u = Ops.Sigmoid(Ops.Add(LayerOps.SelectStep(xu, t), Ops.MatMul(h, _uu)));
            var r = Ops.Sigmoid(Ops.Add(LayerOps.SelectStep(xr, t), Ops.MatMul(h, _ur)));
            var candidate = LayerOps.Tanh(Ops.Add(LayerOps.SelectStep(xh, t), Ops.MatMul(Ops.Mul(r, h), _uh)));
            if (att is not null) u = Ops.Mul(u, LayerOps.SelectStep(att, t)); // DIEN Eq. (6): ũ = a_t · u
            if (lengths is not null) u = Ops.Mul(u, StepMask(lengths, t));   // past the end: u' = 0 keeps h
            h = Ops.Add(h, Ops.Mul(u, Ops.Add(candidate, LayerOps.Affine(h, -1f, 0f))));
            outputs[t] = h;
        }
        return (LayerOps.StackSteps(outputs), h);
    }

    private static Tensor StepMask(int[] lengths, int t)
    {
        var m = Tensor.Empty([lengths.Length, 1]);
        var s = m.Span;
        for (int i = 0; i < lengths.Length; i++) s[i] = t < lengths[i] ? 1f : 0f;
        return m;
    }
}

/// <summary>Gated recurrent unit over (B, L, D) sequences; see <see cref="GruBase"/> for the equations and names.</summary>
public sealed class Gru : GruBase
{
    /// <summary>Creates the layer with Xavier-initialised weights.</summary>
    public Gru(int inputSize, int hiddenSize, ulong seed = 1) : base(inputSize, hiddenSize, seed) { }

    /// <summary>x (B, L, D), optional lengths (B) → outputs (B, L, H) and final state (B, H).</summary>
    public (Tensor Outputs, Tensor Last) Forward(Tensor x, int[]? lengths = null) => Run(x, null, lengths);
}

/// <summary>
/// GRU with attentional update gate (DIEN, Zhou et al. 2019, Eq. 6): the update gate of step t is scaled by the
/// attention score a_t, so steps irrelevant to the target ad barely change the interest state.
/// </summary>
public sealed class AuGru : GruBase
{
    /// <summary>Creates the layer with Xavier-initialised weights.</summary>
    public AuGru(int inputSize, int hiddenSize, ulong seed = 1) : base(inputSize, hiddenSize, seed) { }

    /// <summary>x (B, L, D), attention (B, L), optional lengths (B) → outputs (B, L, H) and final state (B, H).</summary>
    public (Tensor Outputs, Tensor Last) Forward(Tensor x, Tensor attention, int[]? lengths = null)
    {
        if (attention.Rank != 2 || attention.Dim(0) != x.Dim(0) || attention.Dim(1) != x.Dim(1))
            throw new ArgumentException($"AuGru: attention must be (B, L) = ({x.Dim(0)}, {x.Dim(1)}); got {ShapeUtil.Format(attention.Shape)}.", nameof(attention));
        return Run(x, attention, lengths);
    }
}
