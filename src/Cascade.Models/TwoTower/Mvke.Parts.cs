using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// MVKE virtual-kernel experts (Eq. 4–6), all K at once. Each expert k owns a learned virtual kernel W_VK^k (d) used as
/// the attention query over the user field embeddings E_f:
/// Q = ReLU(W_Q W_VK^k + b_Q), K_f = ReLU(W_K E_f + b_K), V_f = ReLU(W_V E_f + b_V) (Eq. 4);
/// α_k = softmax_f(Q K_fᵀ / √d) (Eq. 5); the expert output E_u^k = f_u^k([α_k,1 V_1, …, α_k,F V_F, dense]) (Eq. 6),
/// where f_u is the user tower MLP applied to the weighted field embeddings (the paper's "weighted user field
/// embedding" read into a DNN). f_u is shared by the experts unless <c>separate_expert_towers</c> is set.
/// </summary>
public sealed class VirtualKernelExperts : Module
{
    private readonly Linear _query, _key, _value;
    private readonly Mlp[] _towers;

    /// <summary>Creates K experts over F fields of D dims plus <paramref name="denseCount"/> dense values.</summary>
    public VirtualKernelExperts(int kernels, int fields, int dim, int denseCount, MlpOptions tower, bool separateTowers, ulong seed)
    {
        Kernels = kernels;
        Fields = fields;
        Dim = dim;
        var vk = Tensor.Zeros([kernels, dim]);
        Init.Normal(vk, new Rng(seed), 1f / MathF.Sqrt(dim));
        VirtualKernels = RegisterParameter("virtual_kernels", new Parameter(vk)); // (K, d)
        _query = RegisterModule("query", new Linear(dim, dim, seed: seed + 1));
        _key = RegisterModule("key", new Linear(dim, dim, seed: seed + 2));
        _value = RegisterModule("value", new Linear(dim, dim, seed: seed + 3));
        var options = tower with { InputSize = fields * dim + denseCount };
        _towers = new Mlp[separateTowers ? kernels : 1];
        for (int k = 0; k < _towers.Length; k++)
            _towers[k] = RegisterModule($"tower{k}", new Mlp(options with { Seed = options.Seed + (ulong)(k * 10) }));
    }

    /// <summary>K.</summary>
    public int Kernels { get; }

    /// <summary>F.</summary>
    public int Fields { get; }

    /// <summary>d, the field embedding width.</summary>
    public int Dim { get; }

    /// <summary>Output width of each expert.</summary>
    public int OutputSize => _towers[0].OutputSize;

    /// <summary>W_VK (K, d).</summary>
    public Parameter VirtualKernels { get; }

    /// <summary>fields (B, F, d), dense (B, n) or null → expert outputs E_u^k (B, K, Do).</summary>
    public Tensor Forward(Tensor fields, Tensor? dense)
    {
        int b = fields.Dim(0);
        var q = Ops.Relu(_query.Forward(VirtualKernels.Value)); // (K, d)
        var k = Ops.Relu(_key.Forward(fields));                 // (B, F, d)
        var v = Ops.Relu(_value.Forward(fields));               // (B, F, d)
        var logits = Ops.Div(Ops.BatchMatMul(k, q, transposeB: true), MathF.Sqrt(Dim)); // (B, F, K)
        var alpha = Ops.Softmax(Ops.Transpose(logits, 1, 2));   // (B, K, F), MVKE Eq. (5)
        var weighted = Ops.Mul(Ops.Unsqueeze(alpha, 3), Ops.Unsqueeze(v, 1)); // (B, K, F, d)
        var x = Ops.Reshape(weighted, [b, Kernels, Fields * Dim]);           // (B, K, F·d)
        if (dense is not null) x = Ops.Concat([x, Ops.BroadcastTo(Ops.Unsqueeze(dense, 1), [b, Kernels, dense.Dim(1)])], 2);
        if (_towers.Length == 1) return _towers[0].Forward(x); // (B, K, Do), Eq. (6)
        var outs = new Tensor[Kernels];
        for (int i = 0; i < Kernels; i++) outs[i] = Ops.Unsqueeze(_towers[i].Forward(Ops.Squeeze(Ops.Slice(x, 1, i, 1), 1)), 1);
        return Ops.Concat(outs, 1);
    }
}

/// <summary>
/// MVKE virtual-kernel gate (Eq. 7): the tag (ad) embedding E_T is the query, the virtual kernels the keys and the
/// expert outputs the values: g = softmax_k(ReLU(W_Q E_T) · ReLU(W_K W_VK^k) / √d), E_u = Σ_k g_k (W_V E_u^k + b_V).
/// The gate weights depend only on the ad, so serving caches them with E_T; the values only on the user.
/// </summary>
public sealed class VirtualKernelGate : Module
{
    private readonly Linear _query, _key, _value;

    /// <summary>Creates the gate for tag embeddings of <paramref name="tagDim"/>, kernels of <paramref name="kernelDim"/> and experts of <paramref name="expertDim"/>.</summary>
    public VirtualKernelGate(int tagDim, int kernelDim, int expertDim, ulong seed)
    {
        AttentionDim = kernelDim;
        _query = RegisterModule("query", new Linear(tagDim, kernelDim, seed: seed));
        _key = RegisterModule("key", new Linear(kernelDim, kernelDim, seed: seed + 1));
        _value = RegisterModule("value", new Linear(expertDim, tagDim, seed: seed + 2));
    }

    /// <summary>Width of the gate's query/key space.</summary>
    public int AttentionDim { get; }

    /// <summary>Gate weights from the ad side: tag (B, Dt), kernels (K, d) → (B, K).</summary>
    public Tensor Weights(Tensor tag, Tensor kernels)
    {
        var q = Ops.Relu(_query.Forward(tag));     // (B, d)
        var k = Ops.Relu(_key.Forward(kernels));   // (K, d)
        return Ops.Softmax(Ops.Div(Ops.MatMul(q, Ops.Transpose(k, 0, 1)), MathF.Sqrt(AttentionDim))); // (B, K)
    }

    /// <summary>Values from the user side: experts (B, K, Do) → (B, K, Dt).</summary>
    public Tensor Values(Tensor experts) => _value.Forward(experts);

    /// <summary>E_u = Σ_k g_k V_k: values (B, K, Dt), weights (B, K) → (B, Dt).</summary>
    public static Tensor Combine(Tensor values, Tensor weights) => Ops.Sum(Ops.Mul(values, Ops.Unsqueeze(weights, 2)), 1);
}
