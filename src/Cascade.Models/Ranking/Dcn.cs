using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// Deep &amp; Cross Network (Wang et al. 2017; DCN-V2 2021 with cross_type matrix): x0 = [e_1; …; e_F; x_dense],
/// logit = y_lin + w_outᵀ · [CrossNetwork(x0); DNN(x0)] + b (DCN Eq. 5 "combination layer", bias-free as DeepCTR's
/// dnn_linear, whose bias is the global b). Follows IntTower's model/dcn.py, which keeps DeepCTR's linear part.
/// Knobs: cross_layers (2), cross_type (vector | matrix), low_rank (0 = full matrix), and <see cref="DeepOptions"/>
/// (hidden_units [] leaves the cross network alone).
/// L2: as dcn.py's l2_reg_cross = 1e-5 (the value of l2_reg_embedding), the cross kernels join the embedding and
/// linear tables in <see cref="EmbeddingParameters"/>, so the trainer's λ·Σw² covers them every step
/// (<c>cross_l2: false</c> leaves them unpenalised, the behaviour before 2026-11-28). The cross biases and the DNN
/// are not penalised (l2_reg_dnn = 0 in the scripts).
/// </summary>
[Model("dcn", "Deep & Cross Network (Wang et al. 2017; DCN-V2 matrix/low-rank option): cross network + DNN, combined linearly")]
public sealed class Dcn : Ranker
{
    private readonly Mlp? _deep;
    private readonly Linear _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public Dcn(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        int layers = settings.Int("cross_layers", 2);
        if (layers < 1) throw new ArgumentException($"Model 'dcn' parameter 'cross_layers': expected at least 1, got {layers}.");
        string type = settings.String("cross_type", "vector");
        var crossType = type.ToLowerInvariant() switch
        {
            "vector" => CrossType.Vector,
            "matrix" => CrossType.Matrix,
            _ => throw new ArgumentException($"Model 'dcn' parameter 'cross_type': expected vector or matrix, got '{type}'."),
        };
        int rank = settings.Int("low_rank", 0);
        if (rank < 0 || (rank > 0 && crossType == CrossType.Vector))
            throw new ArgumentException($"Model 'dcn' parameter 'low_rank': expected 0, or a rank ≥ 1 with cross_type matrix; got {rank} with cross_type {type}.");
        CrossL2 = settings.Bool("cross_l2", true);
        Deep = DeepOptions.Read(settings);
        Cross = RegisterModule("crossnet", new CrossNetwork(new CrossNetworkOptions(DeepInputWidth, layers, crossType, rank, settings.Seed + 17)));
        int width = DeepInputWidth;
        if (Deep.Enabled)
        {
            _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
            width += _deep.OutputSize;
        }
        _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(width, settings.Seed + 13));
    }

    /// <inheritdoc />
    public override string Name => "dcn";

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>The cross network.</summary>
    public CrossNetwork Cross { get; }

    /// <summary>Whether the cross kernels take the embedding L2 (dcn.py's l2_reg_cross).</summary>
    public bool CrossL2 { get; }

    /// <summary>Embedding and linear tables, plus the cross kernels (and low-rank V factors) when <see cref="CrossL2"/>.</summary>
    public override IEnumerable<Cascade.Nn.Parameter> EmbeddingParameters() =>
        CrossL2 ? base.EmbeddingParameters().Concat(Cross.Kernels).Concat(Cross.LowRankV) : base.EmbeddingParameters();

    /// <summary>w_outᵀ · [x_L; h_deep]. // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields)
    {
        var x0 = DeepInput(input, fields); // (B, n)
        var cross = Cross.Forward(x0); // (B, n)
        var stack = _deep is null ? cross : Ops.Concat([cross, _deep.Forward(x0)], 1); // (B, n + H_last)
        return Flatten(_output.Forward(stack), input.Count);
    }
}
