using Cascade.Features.Encoders;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>
/// The FM second-order term (Rendle 2010, Eq. 5; DeepFM Eq. 2): Σ_{i&lt;j} ⟨e_i, e_j⟩ computed in O(F·D) as
/// 0.5 · Σ_d ((Σ_f e_fd)² − Σ_f e_fd²). e (B, F, D) → (B).
/// </summary>
public static class FactorizationMachine
{
    /// <summary>0.5 · Σ_d ((Σ_f e_fd)² − Σ_f e_fd²), one fused op (<see cref="Ops.FactorizationMachine"/>). // (B, F, D) → (B)</summary>
    public static Tensor Interaction(Tensor fields) => Ops.FactorizationMachine(fields);
}

/// <summary>
/// DeepFM (Guo et al. 2017, Eq. 1): logit = y_lin + y_FM + w_outᵀ · DNN([e_1; …; e_F; x_dense]) + b, where the FM
/// and the DNN share the field embeddings (<see cref="FactorizationMachine"/>), as DeepCTR-Torch's DeepFM and
/// IntTower's model/deepfm.py (whose SE block is built but unused in forward; we leave it out).
/// Knobs: <see cref="DeepOptions"/> (hidden_units (300,300,128), dropout 0.1, …; hidden_units [] gives FM alone,
/// DeepCTR's use_dnn = False), use_fm (true).
/// </summary>
[Model("deepfm", "DeepFM (Guo et al. 2017): linear part + FM second-order term + DNN on shared field embeddings")]
public sealed partial class DeepFm : Ranker
{
    private readonly Mlp? _deep;
    private readonly Linear? _output;

    /// <summary>Builds the model for <paramref name="layout"/>.</summary>
    public DeepFm(FeatureLayout layout, ModelSettings settings) : base(layout, settings)
    {
        UseFm = settings.Bool("use_fm", true);
        Deep = DeepOptions.Read(settings);
        if (!UseFm && !Deep.Enabled) throw new ArgumentException("Model 'deepfm' with use_fm false and no hidden_units has neither an FM nor a DNN part; use 'lr'.");
        if (Deep.Enabled)
        {
            _deep = RegisterModule("dnn", RankerInit.Dnn(Deep, DeepInputWidth, settings.Seed + 11));
            _output = RegisterModule("dnn_linear", RankerInit.OutputLayer(_deep.OutputSize, settings.Seed + 13));
        }
    }

    /// <inheritdoc />
    public override string Name => "deepfm";

    /// <summary>Whether the FM term is used.</summary>
    public bool UseFm { get; }

    /// <summary>The deep part's options.</summary>
    public DeepOptions Deep { get; }

    /// <summary>y_FM + w_outᵀ · DNN(x). // (B)</summary>
    protected override Tensor InteractionLogit(ModelInput input, Tensor fields)
    {
        Tensor? y = UseFm ? FactorizationMachine.Interaction(fields) : null;
        if (_deep is not null)
        {
            var d = Flatten(_output!.Forward(_deep.Forward(DeepInput(input, fields))), input.Count);
            y = y is null ? d : Ops.Add(y, d);
        }
        return y!;
    }
}
