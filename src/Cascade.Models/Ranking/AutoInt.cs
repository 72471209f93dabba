using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// AutoInt (Song et al. 2019): the field embeddings pass through a stack of <see cref="InteractingLayer"/>s;
/// logit = y_lin + w_outᵀ · [flatten(E_L); DNN([e_1; …; e_F; x_dense])] + b (Eq. 9 output layer, with DeepCTR's
/// optional parallel DNN), as DeepCTR-Torch's AutoInt and IntTower's model/autoint.py (3 layers, 2 heads, residual,
/// no scaling, DNN (300, 300, 128)). Knobs: attention_layers (3), heads (2), attention_residual (true),
/// attention_scaling (false), linear_l2 (false), and <see cref="DeepOptions"/> (hidden_units [] gives AutoInt
/// without the DNN).
/// L2: IntTower's autoint.py passes l2_reg_linear = 0 to its base model, so by default only the embedding tables take
/// the trainer's L2 here; <c>linear_l2: true</c> adds the linear weight tables as the other rankers do (the behaviour
/// before 2026-11-28).
/// </summary>
[Model("autoint", "AutoInt (Song et al. 2019): multi-head self-attention over field embeddings + DNN")]
public sealed class AutoInt : Ranker
{
    private readonly InteractingLayer[] _layers;
    private readonly Mlp? _deep;
    private readonly Linear _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public AutoInt(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        int count = settings.Int("attention_layers", 3);
        int heads = settings.Int("heads", 2);
        bool residual = settings.Bool("attention_residual", true);
        bool scaling = settings.Bool("attention_scaling", false);
        LinearL2 = settings.Bool("linear_l2", false);
        Deep = DeepOptions.Read(settings);
        if (count < 0) throw new ArgumentException($"Model 'autoint' parameter 'attention_layers': expected ≥ 0, got {count}.");
        if (count == 0 && !Deep.Enabled) throw new ArgumentException("Model 'autoint' needs attention_layers ≥ 1 or hidden_units; both are empty.");
        if (heads < 1 || EmbeddingDim % heads != 0)
            throw new ArgumentException($"Model 'autoint' parameter 'heads': expected a divisor of the embedding dimension {EmbeddingDim}, got {heads}.");
        _layers = new InteractingLayer[count];
        for (int i = 0; i < count; i++)
            _layers[i] = RegisterModule($"interacting{i}", new InteractingLayer(EmbeddingDim, heads, residual, scaling, settings.Seed + 23 + 5 * (ulong)i));
        int width = count > 0 ? FieldCount * EmbeddingDim : 0;
        if (Deep.Enabled)
        {
            _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
            width += _deep.OutputSize;
        }
        _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(width, settings.Seed + 13));
    }

    /// <inheritdoc />
    public override string Name => "autoint";

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>Whether the linear weight tables take the L2 penalty (autoint.py: l2_reg_linear = 0, so false).</summary>
    public bool LinearL2 { get; }

    /// <summary>The embedding tables, plus the linear weight tables when <see cref="LinearL2"/>.</summary>
    public override IEnumerable<Cascade.Nn.Parameter> EmbeddingParameters() =>
        LinearL2 ? base.EmbeddingParameters() : Embedder.TableParameters();

    /// <summary>The interacting layers, in order.</summary>
    public IReadOnlyList<InteractingLayer> Layers => _layers;

    /// <summary>w_outᵀ · [flatten(E_L); h_deep]. // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields)
    {
        var parts = new List<Tensor>(2);
        if (_layers.Length > 0)
        {
            var att = fields; // (B, F, D)
            foreach (var layer in _layers) att = layer.Forward(att);
            parts.Add(Ops.Reshape(att, [input.Count, FieldCount * EmbeddingDim])); // (B, F·D)
        }
        if (_deep is not null) parts.Add(_deep.Forward(DeepInput(input, fields))); // (B, H_last)
        var stack = parts.Count == 1 ? parts[0] : Ops.Concat(parts, 1);
        return Flatten(_output.Forward(stack), input.Count);
    }
}
