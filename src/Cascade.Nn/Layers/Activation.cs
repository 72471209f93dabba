using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>Activation functions of <see cref="Mlp"/> layers.</summary>
public enum Activation
{
    /// <summary>Identity.</summary>
    None,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>x if x &gt; 0 else slope · x.</summary>
    LeakyRelu,
    /// <summary>Learned per-channel slope (<see cref="PRelu"/>).</summary>
    PRelu,
    /// <summary>Data-adaptive gate of DIN (<see cref="Dice"/>).</summary>
    Dice,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>1 / (1 + e^(−x)).</summary>
    Sigmoid,
}

/// <summary>Stateless activations shared by layers.</summary>
public static class ActivationOps
{
    /// <summary>Applies a parameter-free activation; PRelu and Dice have parameters and are modules instead.</summary>
    public static Tensor Apply(Activation activation, Tensor x, float leakySlope = 0.01f) => activation switch
    {
        Activation.None => x,
        Activation.Relu => Ops.Relu(x),
        Activation.LeakyRelu => Ops.LeakyRelu(x, leakySlope),
        Activation.Tanh => Ops.Tanh(x),
        Activation.Sigmoid => Ops.Sigmoid(x),
        _ => throw new ArgumentException($"Activation {activation} has parameters; use the {activation} module.", nameof(activation)),
    };
}

/// <summary>PReLU (He et al. 2015): y = x if x &gt; 0 else α_c · x with one learned α per channel, initialised to 0.25.</summary>
public sealed class PRelu : Module
{
    /// <summary>Creates the layer for <paramref name="channels"/> channels of the last axis.</summary>
    public PRelu(int channels, float init = 0.25f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Alpha = RegisterParameter("alpha", new Parameter(Tensor.Full([channels], init), group: Parameter.NoDecayGroup)); // (C)
    }

    /// <summary>α (C).</summary>
    public Parameter Alpha { get; }

    /// <summary>x (…, C) → (…, C).</summary>
    public Tensor Forward(Tensor x) => Ops.PRelu(x, Alpha);
}

/// <summary>
/// Dice (DIN, Zhou et al. 2018, Eq. 5): p = σ((x − E[x]) / √(Var[x] + ε)), y = p · x + (1 − p) · α · x, with batch
/// statistics in training (running statistics, kept as buffers, in evaluation) and one learned α per channel.
/// </summary>
public sealed class Dice : Module
{
    private readonly float _momentum, _eps;

    /// <summary>Creates the layer for <paramref name="channels"/> channels of the last axis.</summary>
    public Dice(int channels, float momentum = 0.1f, float eps = 1e-8f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        _momentum = momentum;
        _eps = eps;
        Alpha = RegisterParameter("alpha", new Parameter(Tensor.Zeros([channels]), group: Parameter.NoDecayGroup)); // (C)
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([channels]));   // (C)
        RunningVar = RegisterBuffer("running_var", Tensor.Full([channels], 1f));  // (C)
    }

    /// <summary>α (C).</summary>
    public Parameter Alpha { get; }

    /// <summary>Running mean (C), a checkpointed buffer.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance (C), a checkpointed buffer.</summary>
    public Tensor RunningVar { get; }

    /// <summary>x (…, C) → (…, C).</summary>
    public Tensor Forward(Tensor x) => Ops.Dice(x, Alpha, RunningMean, RunningVar, IsTraining, _momentum, _eps);
}
