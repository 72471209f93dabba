using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// IntTower's LightSE (feature refinement on the field embeddings): Z = mean over D (B, F), A = softmax(W Z) with
/// W (F, F) and no bias, output x + x ⊙ A. x (B, F, D) → (B, F, D).
/// </summary>
public sealed class LightSe : Module
{
    private readonly Linear _excitation;

    /// <summary>Creates the block for <paramref name="fields"/> fields.</summary>
    public LightSe(int fields, ulong seed) => _excitation = RegisterModule("excitation", new Linear(fields, fields, bias: false, seed: seed));

    /// <summary>x (B, F, D) → x + x ⊙ softmax(W mean_D(x)).</summary>
    public Tensor Forward(Tensor x)
    {
        var a = Ops.Softmax(_excitation.Forward(Ops.Mean(x, 2))); // (B, F)
        return Ops.Add(x, Ops.Mul(x, Ops.Unsqueeze(a, 2)));
    }
}

/// <summary>
/// IntTower's FE-block tower (<c>User_Fe_DNN</c> / <c>Item_Fe_DNN</c>): a DNN whose layers are Linear → BatchNorm →
/// ReLU → Dropout, plus multi-head projections of the tower states into H heads of f dims. The user side projects the
/// input of every layer (L projections); the item side projects the final output only. Output (B, L·H, f) or (B, H, f).
/// </summary>
public sealed class FeTower : Module
{
    private readonly Mlp[] _layers;
    private readonly Linear[] _heads;

    /// <summary>Creates the tower; <paramref name="everyLayer"/> selects the user-side variant.</summary>
    public FeTower(MlpOptions tower, int heads, int headDim, bool everyLayer, ulong seed)
    {
        Heads = heads;
        HeadDim = headDim;
        _layers = new Mlp[tower.HiddenSizes.Length];
        int width = tower.InputSize;
        var inputs = new List<int>();
        for (int i = 0; i < _layers.Length; i++)
        {
            inputs.Add(width);
            _layers[i] = RegisterModule($"layer{i}", new Mlp(tower with { InputSize = width, HiddenSizes = [tower.HiddenSizes[i]], Seed = tower.Seed + (ulong)i }));
            width = tower.HiddenSizes[i];
        }
        var sources = everyLayer ? inputs : [width];
        _heads = new Linear[sources.Count];
        for (int i = 0; i < _heads.Length; i++) _heads[i] = RegisterModule($"fe{i}", new Linear(sources[i], heads * headDim, seed: seed + (ulong)i));
        EveryLayer = everyLayer;
    }

    /// <summary>H.</summary>
    public int Heads { get; }

    /// <summary>f.</summary>
    public int HeadDim { get; }

    /// <summary>Whether every layer's input is projected (user side) or only the output (item side).</summary>
    public bool EveryLayer { get; }

    /// <summary>x (B, In) → head vectors (B, n·H, f) and the last projection (B, H·f) (the contrastive loss's embedding).</summary>
    public (Tensor Heads, Tensor Last) Forward(Tensor x)
    {
        int b = x.Dim(0);
        var reps = new List<Tensor>(_heads.Length);
        for (int i = 0; i < _layers.Length; i++)
        {
            if (EveryLayer) reps.Add(_heads[i].Forward(x)); // projection of layer i's input
            x = _layers[i].Forward(x);
        }
        if (!EveryLayer) reps.Add(_heads[0].Forward(x));
        var all = reps.Count == 1 ? reps[0] : Ops.Concat(reps, 1); // (B, n·H·f)
        return (Ops.Reshape(all, [b, reps.Count * Heads, HeadDim]), reps[^1]);
    }
}
