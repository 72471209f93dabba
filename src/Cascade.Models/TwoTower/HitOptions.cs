namespace Cascade.Models.TwoTower;

/// <summary>Distance of HIT's generation loss (Eq. 8; Table 3 panel D compares them).</summary>
public enum GenerationDistance
{
    /// <summary>1 − cos(g, r): direction only (the paper's choice; −cos of Eq. 8 up to a constant).</summary>
    Cosine,
    /// <summary>Mean squared error over the p dimensions.</summary>
    Mse,
    /// <summary>Mean absolute error over the p dimensions.</summary>
    Mae,
}

/// <summary>
/// Settings of <see cref="Hit"/> (ModelSettings keys in brackets; defaults from HIT §5.1 and Table 3):
/// </summary>
/// <param name="Tower">[tower] DNN widths of each tower (paper: [300, 300, 32]); d_L is the last.</param>
/// <param name="BatchNorm">[batch_norm] batch norm after each tower layer (as in the IntTower code base; true).</param>
/// <param name="Dropout">[dropout] tower dropout (0).</param>
/// <param name="Heads">[heads] J, representer heads (2; Figure 4 sweeps 1–6).</param>
/// <param name="HeadDim">[head_dim] z, dims per head (16).</param>
/// <param name="GeneratorHidden">[generator_hidden] generator hidden widths ([64, 32]); the output layer projects to p = z·J.</param>
/// <param name="Alpha">[alpha] α of Eq. 10 (1e-3).</param>
/// <param name="Generators">[generators] false = Table 3 "w/o generators".</param>
/// <param name="Representers">[representers] false = "w/o representers": no multi-head projection, one head = the tower output (p = d_L).</param>
/// <param name="TargetGenerator">[target_generator] false = "w/o target" (keep the non-target generator only).</param>
/// <param name="NonTargetGenerator">[nontarget_generator] false = "w/o non-target".</param>
/// <param name="DynamicToGenerators">[generator_dynamic] true = "w/ dynamic feature": generators see every own-side feature.</param>
/// <param name="Distance">[generation_loss] cosine, mse or mae.</param>
/// <param name="OutputBias">[output_bias] learned bias on the score before the sigmoid (IntTower's PredictionLayer; true).</param>
public sealed record HitOptions(
    int[] Tower, bool BatchNorm, float Dropout, int Heads, int HeadDim, int[] GeneratorHidden, float Alpha,
    bool Generators, bool Representers, bool TargetGenerator, bool NonTargetGenerator, bool DynamicToGenerators,
    GenerationDistance Distance, bool OutputBias)
{
    /// <summary>Number of generators per side (K of Eq. 3).</summary>
    public int GeneratorCount => !Generators ? 0 : (TargetGenerator ? 1 : 0) + (NonTargetGenerator ? 1 : 0);

    /// <summary>Reads and validates the options.</summary>
    public static HitOptions Read(ModelSettings s)
    {
        var distance = s.String("generation_loss", "cosine").ToLowerInvariant() switch
        {
            "cosine" => GenerationDistance.Cosine,
            "mse" => GenerationDistance.Mse,
            "mae" => GenerationDistance.Mae,
            var other => throw new ArgumentException($"Model '{s.Model}' parameter 'generation_loss': expected cosine, mse or mae, got '{other}'."),
        };
        var o = new HitOptions(
            s.Ints("tower", [300, 300, 32]), s.Bool("batch_norm", true), s.Float("dropout", 0f),
            TowerSettings.PositiveInt(s, "heads", 2), TowerSettings.PositiveInt(s, "head_dim", 16),
            s.Ints("generator_hidden", [64, 32]), s.Float("alpha", 1e-3f),
            s.Bool("generators", true), s.Bool("representers", true), s.Bool("target_generator", true),
            s.Bool("nontarget_generator", true), s.Bool("generator_dynamic", false), distance, s.Bool("output_bias", true));
        if (o.Tower.Length == 0 || o.Tower.Any(w => w < 1)) throw new ArgumentException($"Model '{s.Model}' parameter 'tower': expected positive widths.");
        if (o.GeneratorHidden.Any(w => w < 1)) throw new ArgumentException($"Model '{s.Model}' parameter 'generator_hidden': expected positive widths.");
        if (o.Dropout is < 0f or >= 1f) throw new ArgumentException($"Model '{s.Model}' parameter 'dropout': expected a value in [0, 1), got {o.Dropout}.");
        if (o.Alpha < 0f) throw new ArgumentException($"Model '{s.Model}' parameter 'alpha': expected α ≥ 0, got {o.Alpha}.");
        if (o.Generators && o.GeneratorCount == 0)
            throw new ArgumentException($"Model '{s.Model}': target_generator and nontarget_generator are both false; set generators=false for the 'w/o generators' ablation.");
        if (!o.Representers && s.Parameters.ContainsKey("heads") && o.Heads != 1)
            throw new ArgumentException($"Model '{s.Model}': representers=false scores one head (the tower output); heads={o.Heads} contradicts it.");
        return o;
    }
}
