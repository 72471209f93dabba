using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>The initialisations DeepCTR-Torch (and so IntTower's scripts) use, for parameters our layers create.</summary>
internal static class RankerInit
{
    /// <summary>Fills <paramref name="p"/> with N(0, σ²) (DeepCTR's DNN weights with σ = init_std = 1e-4; AutoInt's W_* with σ = 0.05).</summary>
    public static void Normal(Parameter p, float std, ulong seed)
    {
        var rng = new Rng(seed);
        var s = p.Value.Span;
        for (int i = 0; i < s.Length; i++) s[i] = std * rng.NextGaussian();
    }

    /// <summary>PyTorch's default nn.Linear weight init, U(−1/√in, 1/√in) (kaiming_uniform with a = √5): DeepCTR's dnn_linear and SE excitation.</summary>
    public static void TorchLinearDefault(Parameter weight, ulong seed)
    {
        var rng = new Rng(seed);
        var s = weight.Value.Span;
        float bound = 1f / MathF.Sqrt(weight.Value.Dim(-1));
        for (int i = 0; i < s.Length; i++) s[i] = bound * (2f * rng.NextFloat() - 1f);
    }

    /// <summary>Xavier normal for a (fanOut, fanIn) kernel: σ = √(2 / (fanIn + fanOut)) (DeepCTR's CrossNet kernels).</summary>
    public static void XavierNormal(Parameter p, int fanIn, int fanOut, ulong seed) =>
        Normal(p, MathF.Sqrt(2f / (fanIn + fanOut)), seed);

    /// <summary>
    /// The DNN of <paramref name="options"/> on an input of <paramref name="width"/> features: weights re-drawn
    /// N(0, σ²) when σ &gt; 0, biases U(±1/√in) (PyTorch's default, kept by DeepCTR) or zero per
    /// <see cref="DeepOptions.BiasInit"/>.
    /// </summary>
    public static Mlp Dnn(DeepOptions options, int width, ulong seed)
    {
        var mlp = new Mlp(new MlpOptions(width, options.HiddenUnits, options.Activation, options.Dropout,
            options.BatchNorm ? MlpNorm.BatchNorm : MlpNorm.None, ActivateLast: true, Seed: seed));
        for (int i = 0; i < mlp.Layers.Count; i++)
        {
            var layer = mlp.Layers[i];
            if (options.InitStd > 0f) Normal(layer.Weight, options.InitStd, seed + 31 * (ulong)(i + 1));
            if (options.BiasInit == DnnBiasInit.Uniform && layer.Bias is { } bias) TorchBiasDefault(bias, layer.InFeatures, seed + 31 * (ulong)(i + 1) + 7);
        }
        return mlp;
    }

    /// <summary>PyTorch's default nn.Linear bias init, U(−1/√in, 1/√in).</summary>
    public static void TorchBiasDefault(Parameter bias, int fanIn, ulong seed)
    {
        var rng = new Rng(seed);
        var s = bias.Value.Span;
        float bound = 1f / MathF.Sqrt(fanIn);
        for (int i = 0; i < s.Length; i++) s[i] = bound * (2f * rng.NextFloat() - 1f);
    }

    /// <summary>DeepCTR's dnn_linear: a bias-free linear map to one logit, PyTorch default init.</summary>
    public static Linear OutputLayer(int width, ulong seed)
    {
        var layer = new Linear(width, 1, bias: false, seed: seed);
        TorchLinearDefault(layer.Weight, seed);
        return layer;
    }
}
