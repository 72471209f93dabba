namespace Cascade.Training.Reproduction;

/// <summary>The rows of HIT's Table 2 (MovieLens-1M AUC of eleven models) and Table 3 (HIT ablations and the J sweep).</summary>
public static class HitTables
{
    private static readonly Dictionary<string, string> None = new();

    /// <summary>Table 2 in the paper's order with its AUC figures (HIT paper, Table 2, MovieLens-1M).</summary>
    public static IReadOnlyList<ReproductionVariant> Table2 { get; } =
    [
        new("DSSM", "dssm", None, 0.8697),
        new("DAT", "dat", None, 0.8712),
        new("MVKE", "mvke", None, 0.8720),
        new("Poly-Encoder", "poly-encoder", None, 0.8734),
        new("IntTower", "inttower", None, 0.8974),
        new("Wide&Deep", "wide-deep", None, 0.8820),
        new("DeepFM", "deepfm", None, 0.8920),
        new("DCN", "dcn", None, 0.8964),
        new("AutoInt", "autoint", None, 0.8948),
        new("COLD", "cold", None, 0.8836),
        new("HIT", "hit", None, 0.9048),
    ];

    /// <summary>
    /// Table 3's MovieLens column: panel A (generators/representers removed), B (target/non-target generator
    /// removed), C (dynamic features fed to the generators), D (MAE/MSE generation loss); parameter names are those
    /// of the HIT model's options (HitOptions: generators, representers, target_generator, nontarget_generator,
    /// generator_dynamic, generation_loss).
    /// </summary>
    public static IReadOnlyList<ReproductionVariant> Table3 { get; } =
    [
        new("HIT", "hit", None, 0.9048),
        new("A: w/o generators", "hit", P(("generators", "false")), 0.8955),
        new("A: w/o representers", "hit", P(("representers", "false")), 0.8954),
        new("A: w/o both", "hit", P(("generators", "false"), ("representers", "false")), 0.8697),
        new("B: w/o target", "hit", P(("target_generator", "false")), 0.9022),
        new("B: w/o non-target", "hit", P(("nontarget_generator", "false")), 0.8987),
        new("C: w/ dynamic feature", "hit", P(("generator_dynamic", "true")), 0.9012),
        new("D: w/ MAE", "hit", P(("generation_loss", "mae")), 0.8945),
        new("D: w/ MSE", "hit", P(("generation_loss", "mse")), 0.8933),
    ];

    /// <summary>Base row of Table 3's RelaImpr.</summary>
    public const string Table3Base = "HIT";

    /// <summary>Figure 4's sweep of the number of heads J (the paper plots it without printing values; J = 2 is the HIT row, 0.9048).</summary>
    public static IReadOnlyList<ReproductionVariant> JSweep(IEnumerable<int> values) =>
        values.Select(j => new ReproductionVariant($"J = {j}", "hit", P(("heads", j.ToString(System.Globalization.CultureInfo.InvariantCulture))), j == 2 ? 0.9048 : null)).ToList();

    private static Dictionary<string, string> P(params (string Key, string Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value);

    /// <summary>Base row of Table 2's RelaImpr.</summary>
    public const string Table2Base = "DSSM";

    /// <summary>Selects Table 2 rows by model name (case-insensitive), keeping the paper's order; unknown names are errors.</summary>
    public static IReadOnlyList<ReproductionVariant> Select(IReadOnlyList<ReproductionVariant> table, IReadOnlyCollection<string>? models)
    {
        if (models is null || models.Count == 0) return table;
        var unknown = models.Where(m => !table.Any(v => string.Equals(v.Model, m, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--models: unknown model(s) {string.Join(", ", unknown)}; the table has {string.Join(", ", table.Select(v => v.Model))}.");
        return table.Where(v => models.Any(m => string.Equals(v.Model, m, StringComparison.OrdinalIgnoreCase))).ToList();
    }
}
