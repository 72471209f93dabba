using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>Layer normalisation over the last axis (Ba et al. 2016): y = (x − μ) / √(σ² + ε) · γ + β, γ = 1, β = 0 initially.</summary>
public sealed class LayerNorm : Module
{
    private readonly float _eps;

    /// <summary>Creates the layer for <paramref name="features"/> features.</summary>
    public LayerNorm(int features, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _eps = eps;
        Gamma = RegisterParameter("weight", new Parameter(Tensor.Full([features], 1f), group: Parameter.NoDecayGroup)); // (C)
        Beta = RegisterParameter("bias", new Parameter(Tensor.Zeros([features]), group: Parameter.NoDecayGroup));       // (C)
    }

    /// <summary>γ (C).</summary>
    public Parameter Gamma { get; }

    /// <summary>β (C).</summary>
    public Parameter Beta { get; }

    /// <summary>x (…, C) → (…, C).</summary>
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Gamma, Beta, _eps);
}

/// <summary>
/// Batch normalisation of (N, C) or (…, C) inputs (Ioffe &amp; Szegedy 2015): batch statistics in training, running
/// statistics (buffers <c>running_mean</c>, <c>running_var</c>, saved in checkpoints) in evaluation;
/// running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance.
/// </summary>
public sealed class BatchNorm1d : Module
{
    private readonly float _momentum, _eps;

    /// <summary>Creates the layer for <paramref name="features"/> channels.</summary>
    public BatchNorm1d(int features, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _momentum = momentum;
        _eps = eps;
        Gamma = RegisterParameter("weight", new Parameter(Tensor.Full([features], 1f), group: Parameter.NoDecayGroup)); // (C)
        Beta = RegisterParameter("bias", new Parameter(Tensor.Zeros([features]), group: Parameter.NoDecayGroup));       // (C)
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([features]));  // (C)
        RunningVar = RegisterBuffer("running_var", Tensor.Full([features], 1f)); // (C)
    }

    /// <summary>γ (C).</summary>
    public Parameter Gamma { get; }

    /// <summary>β (C).</summary>
    public Parameter Beta { get; }

    /// <summary>Running mean (C).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance (C).</summary>
    public Tensor RunningVar { get; }

    /// <summary>x (…, C) → (…, C).</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, Gamma, Beta, RunningMean, RunningVar, IsTraining, _momentum, _eps);
}

/// <summary>Inverted dropout (Srivastava et al. 2014): active in training only; masks from a seeded generator.</summary>
public sealed class Dropout : Module
{
    private readonly Rng _rng;

    /// <summary>Creates the layer; <paramref name="p"/> is the drop probability in [0, 1).</summary>
    public Dropout(float p, ulong seed = 1)
    {
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        P = p;
        _rng = new Rng(seed);
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    /// <summary>x → x ⊙ mask / (1 − p) in training; x in evaluation.</summary>
    public Tensor Forward(Tensor x) => Ops.Dropout(x, P, IsTraining, _rng);

    /// <summary>relu(x) then this dropout as one fused op (<see cref="Ops.ReluDropout"/>): same values, gradients and mask stream as <c>Forward(Ops.Relu(x))</c>.</summary>
    public Tensor ForwardRelu(Tensor x) => Ops.ReluDropout(x, P, IsTraining, _rng);
}
