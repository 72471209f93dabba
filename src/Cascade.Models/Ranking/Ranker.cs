using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// Base of the all-to-all rankers (Wide&amp;Deep, DeepFM, DCN, AutoInt, COLD), following DeepCTR-Torch's BaseModel as
/// IntTower's scripts use it: every sparse and var-len field is embedded (dim = settings.EmbeddingDim, 32 in the
/// scripts, N(0, 1e-4)); the score is logit = y_lin + <see cref="InteractionLogit"/> + b, where y_lin is the
/// <see cref="LinearPart"/> and b the PredictionLayer bias. Scores are logits. The L2 penalty (1e-5 in the scripts)
/// covers the embedding tables and the linear weight tables through <see cref="EmbeddingParameters"/>.
/// </summary>
public abstract class Ranker : CtrModel
{
    /// <summary>Builds the embedding layer, the linear part and the bias.</summary>
    protected Ranker(FeatureLayout layout, ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Embedder = RegisterModule("embedding", new FeatureEmbedder(layout, settings.EmbedderOptions));
        Fields = Embedder.EmbeddedSlots();
        DenseFields = Embedder.DenseSlots();
        if (Fields.Count == 0) throw new ArgumentException($"Model '{settings.Model}' needs at least one sparse or var-len feature to embed; the layout has none.", nameof(layout));
        Linear = RegisterModule("linear", new LinearPart(layout, settings.EmbeddingInitStd, settings.Seed + 7919));
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([1]), group: Parameter.NoDecayGroup)); // (1)
    }

    /// <summary>The settings the model was built from.</summary>
    protected ModelSettings Settings { get; }

    /// <summary>The field embedding layer.</summary>
    public FeatureEmbedder Embedder { get; }

    /// <summary>The linear part.</summary>
    public LinearPart Linear { get; }

    /// <summary>The global bias (DeepCTR's PredictionLayer bias). // (1)</summary>
    public Parameter Bias { get; }

    /// <summary>The embedded fields F, in layout order.</summary>
    public IReadOnlyList<FeatureSlot> Fields { get; }

    /// <summary>The dense fields, in layout order.</summary>
    public IReadOnlyList<FeatureSlot> DenseFields { get; }

    /// <summary>Number of embedded fields F.</summary>
    public int FieldCount => Fields.Count;

    /// <summary>Embedding dimension D.</summary>
    public int EmbeddingDim => Settings.EmbeddingDim;

    /// <summary>Width of <see cref="DeepInput"/>: F·D + number of dense fields.</summary>
    public int DeepInputWidth => FieldCount * EmbeddingDim + DenseFields.Count;

    /// <inheritdoc />
    public override IEnumerable<Parameter> EmbeddingParameters() => Embedder.TableParameters().Concat(Linear.TableParameters());

    /// <summary>logit = y_lin + <see cref="InteractionLogit"/> + b. // (B)</summary>
    public sealed override Tensor Forward(ModelInput input)
    {
        var fields = Embedder.EmbedStacked(input, Fields); // (B, F, D)
        var y = Ops.Add(Linear.Forward(input), InteractionLogit(input, fields));
        return Ops.Add(y, Bias.Value);
    }

    /// <summary>The model's own logit term from the stacked field embeddings. // (B, F, D) → (B)</summary>
    protected abstract Tensor InteractionLogit(ModelInput input, Tensor fields);

    /// <summary>DeepCTR's combined_dnn_input: flattened field embeddings, then the dense values. // (B, F·D + n)</summary>
    protected Tensor DeepInput(ModelInput input, Tensor fields)
    {
        var flat = Ops.Reshape(fields, [input.Count, FieldCount * EmbeddingDim]); // (B, F·D)
        return DenseFields.Count == 0 ? flat : Ops.Concat([flat, FeatureEmbedder.DenseValues(input, DenseFields)], 1);
    }

    /// <summary>(B, 1) → (B).</summary>
    protected static Tensor Flatten(Tensor logit, int batch) => Ops.Reshape(logit, [batch]);
}
