using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>Normalisation inserted after each linear layer of an <see cref="Mlp"/>.</summary>
public enum MlpNorm
{
    /// <summary>No normalisation.</summary>
    None,
    /// <summary><see cref="BatchNorm1d"/>.</summary>
    BatchNorm,
    /// <summary><see cref="LayerNorm"/>.</summary>
    LayerNorm,
}

/// <summary>Options of an <see cref="Mlp"/>.</summary>
/// <param name="InputSize">Width of the input.</param>
/// <param name="HiddenSizes">Output width of each linear layer, e.g. [300, 300, 32].</param>
/// <param name="Activation">Activation after each layer.</param>
/// <param name="Dropout">Dropout probability after each activation (0 = none).</param>
/// <param name="Norm">Normalisation between each linear layer and its activation.</param>
/// <param name="ActivateLast">False makes the last layer a plain linear output (no norm, activation or dropout).</param>
/// <param name="LeakySlope">Slope of <see cref="Activation.LeakyRelu"/>.</param>
/// <param name="Seed">Initialisation and dropout seed; layer i uses Seed + i.</param>
/// <param name="Init">Weight initialisation scheme.</param>
public sealed record MlpOptions(
    int InputSize,
    int[] HiddenSizes,
    Activation Activation = Activation.Relu,
    float Dropout = 0f,
    MlpNorm Norm = MlpNorm.None,
    bool ActivateLast = true,
    float LeakySlope = 0.01f,
    ulong Seed = 1,
    InitScheme Init = InitScheme.XavierUniform);

/// <summary>
/// Multi-layer perceptron: for each hidden size, Linear → [norm] → activation → [dropout]. Parameter names:
/// linear layer i is child <c>i</c> (<c>mlp.0.weight</c>), its norm <c>norm{i}</c>, a parametric activation
/// <c>act{i}</c>. x (…, InputSize) → (…, HiddenSizes[^1]).
/// </summary>
/// <example><code>var mlp = new Mlp(new MlpOptions(128, [300, 300, 32], Activation.Relu, Dropout: 0.1f));</code></example>
public sealed class Mlp : Module
{
    private readonly Linear[] _linears;
    private readonly Module?[] _norms;
    private readonly Module?[] _activations;
    private readonly Dropout?[] _dropouts;

    /// <summary>Builds the layers.</summary>
    public Mlp(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HiddenSizes.Length == 0) throw new ArgumentException("MlpOptions.HiddenSizes must list at least one layer width.", nameof(options));
        Options = options;
        int n = options.HiddenSizes.Length;
        _linears = new Linear[n];
        _norms = new Module?[n];
        _activations = new Module?[n];
        _dropouts = new Dropout?[n];
        int width = options.InputSize;
        for (int i = 0; i < n; i++)
        {
            int next = options.HiddenSizes[i];
            _linears[i] = RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new Linear(width, next, bias: true, seed: options.Seed + (ulong)i, init: options.Init));
            bool plain = i == n - 1 && !options.ActivateLast;
            if (!plain)
            {
                _norms[i] = options.Norm switch
                {
                    MlpNorm.BatchNorm => RegisterModule($"norm{i}", new BatchNorm1d(next)),
                    MlpNorm.LayerNorm => RegisterModule($"norm{i}", new LayerNorm(next)),
                    _ => null,
                };
                _activations[i] = options.Activation switch
                {
                    Activation.PRelu => RegisterModule($"act{i}", new PRelu(next)),
                    Activation.Dice => RegisterModule($"act{i}", new Dice(next)),
                    _ => null,
                };
                if (options.Dropout > 0f) _dropouts[i] = RegisterModule($"dropout{i}", new Dropout(options.Dropout, options.Seed + 1000 + (ulong)i));
            }
            width = next;
        }
    }

    /// <summary>The options the MLP was built with.</summary>
    public MlpOptions Options { get; }

    /// <summary>Output width.</summary>
    public int OutputSize => Options.HiddenSizes[^1];

    /// <summary>The linear layers in order.</summary>
    public IReadOnlyList<Linear> Layers => _linears;

    /// <summary>x (…, InputSize) → (…, OutputSize).</summary>
    public Tensor Forward(Tensor x)
    {
        for (int i = 0; i < _linears.Length; i++)
        {
            x = _linears[i].Forward(x);
            bool plain = i == _linears.Length - 1 && !Options.ActivateLast;
            if (plain) break;
            x = _norms[i] switch
            {
                BatchNorm1d bn => bn.Forward(x),
                LayerNorm ln => ln.Forward(x),
                _ => x,
            };
            if (_activations[i] is null && Options.Activation == Activation.Relu && _dropouts[i] is { } fused)
            {
                // ReLU → dropout as one op: one buffer, one mask pass and one tape node fewer per layer.
                x = fused.ForwardRelu(x);
                continue;
            }
            x = _activations[i] switch
            {
                PRelu p => p.Forward(x),
                Dice d => d.Forward(x),
                _ => ActivationOps.Apply(Options.Activation, x, Options.LeakySlope),
            };
            if (_dropouts[i] is { } dropout) x = dropout.Forward(x);
        }
        return x;
    }
}
