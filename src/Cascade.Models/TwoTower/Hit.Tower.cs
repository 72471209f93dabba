using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>What one HIT tower produces in a forward pass.</summary>
/// <param name="Heads">Representer output r (B, J, z) (or the tower output as one head without representers).</param>
/// <param name="Generated">Raw generator outputs (B, p) with gradients to the generators: [target, non-target], null where absent.</param>
public sealed record HitTowerOutput(Tensor Heads, Tensor?[] Generated);

/// <summary>
/// One tower of HIT (user or ad): generators on the static fields (Eq. 3), L2-normalised mimic vectors concatenated
/// with the field embeddings (Eq. 4), the DNN (Eq. 1) and the multi-head representer (Eq. 5/6).
/// </summary>
public sealed class HitTower : Module
{
    private readonly SideFields _fields, _generatorFields;
    private readonly Generator?[] _generators; // [target, non-target]
    private readonly Mlp _dnn;
    private readonly MultiHeadRepresenter? _representer;

    /// <summary>Builds the tower of <paramref name="side"/>; <paramref name="mimicWidth"/> is p.</summary>
    public HitTower(FeatureEmbedder embedder, TowerSide side, HitOptions o, int mimicWidth, ulong seed)
    {
        Side = side;
        _fields = new SideFields(embedder, side, false, "hit");
        // HIT §4.1: generators read only static features (x_ub / x_ab); Table 3 panel C feeds them everything.
        _generatorFields = o.DynamicToGenerators ? _fields : new SideFields(embedder, side, true, "hit");
        _generators = new Generator?[2];
        if (o.Generators && o.TargetGenerator) _generators[0] = RegisterModule("target_generator", new Generator(_generatorFields.Width, o.GeneratorHidden, mimicWidth, seed + 1));
        if (o.Generators && o.NonTargetGenerator) _generators[1] = RegisterModule("nontarget_generator", new Generator(_generatorFields.Width, o.GeneratorHidden, mimicWidth, seed + 2));
        int inputWidth = _fields.Width + o.GeneratorCount * mimicWidth;
        _dnn = RegisterModule("dnn", new Mlp(new MlpOptions(inputWidth, o.Tower, Activation.Relu, o.Dropout,
            o.BatchNorm ? MlpNorm.BatchNorm : MlpNorm.None, ActivateLast: true, Seed: seed + 10)));
        if (o.Representers) _representer = RegisterModule("representer", new MultiHeadRepresenter(o.Tower[^1], o.Heads, o.HeadDim, seed + 20));
    }

    /// <summary>Which side.</summary>
    public TowerSide Side { get; }

    /// <summary>The fields the generators read (static-only unless generator_dynamic).</summary>
    public SideFields GeneratorFields => _generatorFields;

    /// <summary>Generator outputs r^m_k (B, p) for [target, non-target] (null where absent); Eq. 3 with the input detached.</summary>
    public Tensor?[] Generate(ModelInput input)
    {
        var result = new Tensor?[2];
        if (_generators[0] is null && _generators[1] is null) return result;
        // Stop-gradient on the generator input: the generation loss must not move the shared embeddings.
        var x = _generatorFields.Concat(input).Detach(); // (B, n_b)
        for (int k = 0; k < 2; k++) result[k] = _generators[k]?.Forward(x);
        return result;
    }

    /// <summary>The full tower: mimic vectors, DNN, representer.</summary>
    public HitTowerOutput Forward(ModelInput input)
    {
        var generated = Generate(input);
        var parts = new List<Tensor>(3);
        foreach (var g in generated)
            if (g is not null) parts.Add(Ops.L2Normalize(g.Detach())); // stop-gradient on the output, then unit length (Eq. 4)
        parts.Add(_fields.Concat(input));
        var e = parts.Count == 1 ? parts[0] : Ops.Concat(parts, 1); // e^i = f(r^m_1, …, r^m_K, e)  (B, K·p + Σ D + n)
        var h = _dnn.Forward(e);                                     // h^i (B, d_L), Eq. (1)
        var heads = _representer is null ? Ops.Unsqueeze(h, 1) : _representer.Forward(h); // (B, J, z), Eq. (5)/(6)
        return new HitTowerOutput(heads, generated);
    }

    /// <summary>Generator parameters (trained only by the generation loss).</summary>
    public IEnumerable<Parameter> GeneratorParameters() =>
        _generators.Where(g => g is not null).SelectMany(g => g!.Parameters());
}
