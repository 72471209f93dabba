using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// AutoInt's interacting layer (Song et al. 2019, Eq. 5–8), as DeepCTR-Torch's InteractingLayer: per head h with
/// d = D/H, Q = E W_Q, K = E W_K, V = E W_V split into H heads of d columns, α = softmax_j(⟨q_i, k_j⟩ [/√d]),
/// out_i = ⊕_h Σ_j α_ij v_j, then out = ReLU(out + E W_res) (Eq. 8 residual). E (B, F, D) → (B, F, D).
/// W_* are (D, D) in (out, in) layout, initialised N(0, 0.05²) as DeepCTR; scaling by 1/√d off by default (DeepCTR's
/// scaling=False, which IntTower's model/autoint.py keeps).
/// </summary>
public sealed class InteractingLayer : Module
{
    private readonly Parameter _query, _key, _value;
    private readonly Parameter? _residual;

    /// <summary>Creates the layer.</summary>
    public InteractingLayer(int embeddingDim, int heads, bool residual = true, bool scaling = false, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        if (embeddingDim % heads != 0) throw new ArgumentException($"AutoInt: the embedding dimension {embeddingDim} must be a multiple of the head count {heads}.", nameof(heads));
        EmbeddingDim = embeddingDim;
        Heads = heads;
        Scaling = scaling;
        _query = NewWeight("w_query", seed);
        _key = NewWeight("w_key", seed + 1);
        _value = NewWeight("w_value", seed + 2);
        if (residual) _residual = NewWeight("w_res", seed + 3);
    }

    /// <summary>D.</summary>
    public int EmbeddingDim { get; }

    /// <summary>H.</summary>
    public int Heads { get; }

    /// <summary>Whether scores are divided by √d.</summary>
    public bool Scaling { get; }

    /// <summary>W_Q (D, D), (out, in).</summary>
    public Parameter Query => _query;

    /// <summary>W_K (D, D), (out, in).</summary>
    public Parameter Key => _key;

    /// <summary>W_V (D, D), (out, in).</summary>
    public Parameter Value => _value;

    /// <summary>W_res (D, D), (out, in), or null without the residual.</summary>
    public Parameter? Residual => _residual;

    /// <summary>E (B, F, D) → ReLU(MultiHead(E) + E W_res) (B, F, D).</summary>
    public Tensor Forward(Tensor e)
    {
        if (e.Rank != 3 || e.Dim(2) != EmbeddingDim)
            throw new ArgumentException($"InteractingLayer(D={EmbeddingDim}): input {ShapeUtil.Format(e.Shape)} must be (B, F, {EmbeddingDim}).", nameof(e));
        int b = e.Dim(0), f = e.Dim(1), d = EmbeddingDim / Heads;
        // AutoInt Eq. (5)-(6): attention of field i over all fields j, in each head's subspace.
        var q = SplitHeads(Ops.Linear(e, _query, null), b, f, d); // (B, H, F, d)
        var k = SplitHeads(Ops.Linear(e, _key, null), b, f, d);
        var v = SplitHeads(Ops.Linear(e, _value, null), b, f, d);
        var o = Ops.ScaledDotProductAttention(q, k, v, null, Scaling ? 1f / MathF.Sqrt(d) : 1f); // (B, H, F, d)
        // Eq. (7): concatenate the heads back to D columns.
        var y = Ops.Reshape(Ops.Permute(o, [0, 2, 1, 3]), [b, f, EmbeddingDim]); // (B, F, D)
        // Eq. (8): residual through W_res, then ReLU.
        if (_residual is not null) y = Ops.Add(y, Ops.Linear(e, _residual, null));
        return Ops.Relu(y);
    }

    private Tensor SplitHeads(Tensor x, int b, int f, int d) =>
        Ops.Permute(Ops.Reshape(x, [b, f, Heads, d]), [0, 2, 1, 3]);

    private Parameter NewWeight(string name, ulong seed)
    {
        var p = RegisterParameter(name, new Parameter(Tensor.Zeros([EmbeddingDim, EmbeddingDim])));
        RankerInit.Normal(p, 0.05f, seed);
        return p;
    }
}
