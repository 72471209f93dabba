using Cascade.Tensors;

namespace Cascade.Nn.Layers;

/// <summary>
/// Multi-head attention (Vaswani et al. 2017) with four projections named as in PyTorch-style code:
/// <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> (model → model) and <c>out_proj</c> (model → model), each a
/// <see cref="Linear"/>. y = concat_h softmax(Q_h K_hᵀ / √(model/heads)) V_h · W_oᵀ + b_o over unmasked keys
/// (<see cref="Ops.MultiHeadAttention"/>). query (B, Lq, E), key and value (B, Lk, E), keyMask (B, Lk) → (B, Lq, E).
/// </summary>
public sealed class MultiHeadAttention : Module
{
    /// <summary>Creates the layer; <paramref name="heads"/> must divide <paramref name="modelDim"/>.</summary>
    public MultiHeadAttention(int modelDim, int heads, bool bias = true, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        if (modelDim % heads != 0) throw new ArgumentException($"MultiHeadAttention: {heads} heads do not divide the model width {modelDim}.", nameof(heads));
        ModelDim = modelDim;
        Heads = heads;
        Query = RegisterModule("q_proj", new Linear(modelDim, modelDim, bias, seed));
        Key = RegisterModule("k_proj", new Linear(modelDim, modelDim, bias, seed + 1));
        Value = RegisterModule("v_proj", new Linear(modelDim, modelDim, bias, seed + 2));
        Output = RegisterModule("out_proj", new Linear(modelDim, modelDim, bias, seed + 3));
        Weights = new AttentionWeights(Query.Weight, Query.Bias?.Value, Key.Weight, Key.Bias?.Value, Value.Weight, Value.Bias?.Value, Output.Weight, Output.Bias?.Value);
    }

    /// <summary>Model width E.</summary>
    public int ModelDim { get; }

    /// <summary>Number of heads H.</summary>
    public int Heads { get; }

    /// <summary>Query projection.</summary>
    public Linear Query { get; }

    /// <summary>Key projection.</summary>
    public Linear Key { get; }

    /// <summary>Value projection.</summary>
    public Linear Value { get; }

    /// <summary>Output projection.</summary>
    public Linear Output { get; }

    /// <summary>The projections as the attention op takes them.</summary>
    public AttentionWeights Weights { get; }

    /// <summary>query (B, Lq, E), key/value (B, Lk, E), keyMask (B, Lk) nonzero = attend → (B, Lq, E).</summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, IntTensor? keyMask = null)
        => Ops.MultiHeadAttention(query, key, value, Weights, Heads, keyMask);
}
