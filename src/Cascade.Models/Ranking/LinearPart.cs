using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// The linear (wide) part shared by every ranker, DeepCTR's <c>Linear</c> ("linear_model"):
/// y_lin = Σ_f w_f[id_f] + x_denseᵀ · w_dense, with one 1-dim weight table per embedding table of the schema
/// (a var-len field pools its ids' weights as the schema says, mean for genres), initialised N(0, σ²) with the
/// embedding σ (1e-4), and a dense weight vector N(0, σ²). The global bias is not here: the models add DeepCTR's
/// PredictionLayer bias once. Output (B).
/// </summary>
public sealed class LinearPart : Module
{
    private readonly FeatureEmbedder? _weights;
    private readonly IReadOnlyList<FeatureSlot> _fields;
    private readonly IReadOnlyList<FeatureSlot> _dense;
    private readonly Parameter? _denseWeight;

    /// <summary>Creates the weight tables of every embedded slot and the dense weights of every dense slot of <paramref name="layout"/>.</summary>
    public LinearPart(FeatureLayout layout, float initStd, ulong seed)
    {
        var embedder = new FeatureEmbedder(layout, new EmbedderOptions(1, initStd, seed));
        _fields = embedder.EmbeddedSlots();
        _dense = embedder.DenseSlots();
        if (_fields.Count > 0) _weights = RegisterModule("weights", embedder);
        if (_dense.Count > 0)
        {
            _denseWeight = RegisterParameter("dense_weight", new Parameter(Tensor.Zeros([1, _dense.Count]))); // (1, n)
            RankerInit.Normal(_denseWeight, initStd, seed + 101);
        }
        if (_fields.Count == 0 && _dense.Count == 0) throw new ArgumentException("The feature layout has no features: a linear model needs at least one.", nameof(layout));
    }

    /// <summary>The per-id weight tables (they take the L2 penalty of l2_reg_linear = 1e-5, like embeddings).</summary>
    public IEnumerable<Parameter> TableParameters() => _weights?.TableParameters() ?? [];

    /// <summary>The per-id weight tables as an embedder of dimension 1, or null without embedded fields (split scoring reads it).</summary>
    internal FeatureEmbedder? Weights => _weights;

    /// <summary>The embedded slots, in layout order.</summary>
    internal IReadOnlyList<FeatureSlot> Fields => _fields;

    /// <summary>The dense slots, in layout order (the columns of <see cref="DenseWeight"/>).</summary>
    internal IReadOnlyList<FeatureSlot> DenseSlots => _dense;

    /// <summary>The dense weights (1, n), or null without dense features.</summary>
    public Parameter? DenseWeight => _denseWeight;

    /// <summary>y_lin = Σ_f w_f[id_f] + x_dense · w_dense. // (B)</summary>
    public Tensor Forward(ModelInput input)
    {
        Tensor? y = null;
        if (_weights is not null) y = Ops.Sum(_weights.EmbedConcat(input, _fields), 1); // (B, F) → (B)
        if (_denseWeight is not null)
        {
            var x = FeatureEmbedder.DenseValues(input, _dense); // (B, n)
            var d = Ops.Reshape(Ops.Linear(x, _denseWeight, null), [input.Count]); // (B, 1) → (B)
            y = y is null ? d : Ops.Add(y, d);
        }
        return y!;
    }
}
