using Cascade.Nn.Layers;

namespace Cascade.Models.Ranking;

/// <summary>
/// Knobs of a ranker's deep part (DeepCTR's DNN), read through <see cref="ModelSettings"/> with the defaults of
/// IntTower's ranker scripts (archersama/IntTower model/deepfm.py, dcn.py, autoint.py, cold.py run by
/// train_movielens_deepfm.py): hidden units (300, 300, 128), ReLU, dropout 0.1 (the script passes dnn_dropout=0.1),
/// no batch norm (dnn_use_bn defaults to False and the script leaves it), weights N(0, 1e-4) (init_std), biases left
/// at PyTorch's nn.Linear default U(±1/√in) (DeepCTR's DNN re-draws only the tensors named "weight").
/// <para>
/// Why the bias matters there: with weights N(0, 1e-4) every pre-activation starts at ≈ its bias (the weight term is
/// ~1e-4·|x|), so the ReLU units whose bias is negative, about half of each layer, get no gradient and stay off for
/// the whole run: the scripts' (300, 300, 128) DNN trains as roughly (150, 150, 64). <c>dnn_bias_init: zero</c> keeps
/// every unit alive (the behaviour before 2026-11-28).
/// </para>
/// </summary>
/// <param name="HiddenUnits">"hidden_units": widths of the DNN layers; empty disables the deep part where the model allows it.</param>
/// <param name="Dropout">"dropout": dropout after every DNN activation.</param>
/// <param name="BatchNorm">"batch_norm": batch norm between each linear layer and its activation.</param>
/// <param name="Activation">"activation": relu, leakyrelu, prelu, dice, tanh or sigmoid.</param>
/// <param name="InitStd">"dnn_init_std": σ of the N(0, σ²) DNN weight initialisation; 0 keeps Xavier uniform.</param>
/// <param name="BiasInit">"dnn_bias_init": uniform (PyTorch's U(±1/√in), as the scripts) or zero.</param>
public sealed record DeepOptions(int[] HiddenUnits, float Dropout, bool BatchNorm, Activation Activation, float InitStd, DnnBiasInit BiasInit = DnnBiasInit.Uniform)
{
    /// <summary>Reads the knobs from <paramref name="settings"/>; <paramref name="defaultActivation"/> is the model's default.</summary>
    public static DeepOptions Read(ModelSettings settings, string defaultActivation = "relu")
    {
        var hidden = settings.Ints("hidden_units", [300, 300, 128]);
        if (hidden.Any(h => h < 1)) throw new ArgumentException($"Model '{settings.Model}' parameter 'hidden_units': every width must be at least 1, got [{string.Join(", ", hidden)}].");
        float dropout = settings.Float("dropout", 0.1f);
        if (dropout is < 0f or >= 1f) throw new ArgumentException($"Model '{settings.Model}' parameter 'dropout': expected a probability in [0, 1), got {dropout}.");
        bool bn = settings.Bool("batch_norm", false);
        var activation = ParseActivation(settings, "activation", defaultActivation);
        float std = settings.Float("dnn_init_std", 1e-4f);
        if (std < 0f) throw new ArgumentException($"Model '{settings.Model}' parameter 'dnn_init_std': expected σ ≥ 0, got {std}.");
        string bias = settings.String("dnn_bias_init", "uniform");
        var biasInit = bias.ToLowerInvariant() switch
        {
            "uniform" => DnnBiasInit.Uniform,
            "zero" => DnnBiasInit.Zero,
            _ => throw new ArgumentException($"Model '{settings.Model}' parameter 'dnn_bias_init': expected uniform or zero, got '{bias}'."),
        };
        return new DeepOptions(hidden, dropout, bn, activation, std, biasInit);
    }

    /// <summary>True when the deep part has at least one layer.</summary>
    public bool Enabled => HiddenUnits.Length > 0;

    /// <summary>Parses an activation name (case-insensitive) or throws naming the key and the choices.</summary>
    public static Activation ParseActivation(ModelSettings settings, string key, string fallback)
    {
        string raw = settings.String(key, fallback);
        if (Enum.TryParse<Activation>(raw, ignoreCase: true, out var a) && !int.TryParse(raw, out _)) return a;
        throw new ArgumentException($"Model '{settings.Model}' parameter '{key}': unknown activation '{raw}'; expected one of {string.Join(", ", Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()))}.");
    }
}

/// <summary>How the biases of a ranker's DNN start.</summary>
public enum DnnBiasInit
{
    /// <summary>U(−1/√in, 1/√in), PyTorch's nn.Linear default, which DeepCTR's DNN (and so IntTower's scripts) keeps.</summary>
    Uniform,
    /// <summary>Zeros.</summary>
    Zero,
}
