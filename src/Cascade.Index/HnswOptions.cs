namespace Cascade.Index;

/// <summary>
/// HNSW parameters (Malkov &amp; Yashunin 2018). <see cref="M"/> links per node on levels ≥ 1 and 2·M on level 0,
/// candidate list <see cref="EfConstruction"/> while linking, level multiplier mL = 1/ln M.
/// </summary>
public sealed record HnswOptions
{
    /// <summary>Ranking metric.</summary>
    public Metric Metric { get; init; } = Metric.L2;

    /// <summary>Links per node on upper levels (level 0 keeps up to 2·M); 16 is the usual trade-off for D ≤ 128.</summary>
    public int M { get; init; } = 16;

    /// <summary>Beam width while linking a node; higher builds slower and gives better graphs.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Beam width of searches that pass ef ≤ 0.</summary>
    public int DefaultEf { get; init; } = 64;

    /// <summary>
    /// Precision of the vector copy searches walk the graph on. <see cref="TraversalPrecision.BFloat16"/> keeps a
    /// half-size copy (2·⌈D/2⌉ bytes per vector more memory) and re-scores the final candidates in fp32, so returned
    /// distances and their order are exact; builds and updates always use fp32 (docs/design/hnsw.md, "bfloat16 walk").
    /// </summary>
    public TraversalPrecision TraversalPrecision { get; init; } = TraversalPrecision.BFloat16;

    /// <summary>Seed of the level generator, so builds are reproducible for a given insertion order.</summary>
    public int Seed { get; init; } = 42;

    internal void Validate()
    {
        if (M < 2 || M > 256) throw new ArgumentOutOfRangeException(nameof(M), M, "HnswOptions.M must be in [2, 256].");
        if (EfConstruction < 1) throw new ArgumentOutOfRangeException(nameof(EfConstruction), EfConstruction, "HnswOptions.EfConstruction must be ≥ 1.");
        if (!Enum.IsDefined(TraversalPrecision)) throw new ArgumentOutOfRangeException(nameof(TraversalPrecision), TraversalPrecision, "HnswOptions.TraversalPrecision must be Float32 or BFloat16.");
        if (DefaultEf < 1) throw new ArgumentOutOfRangeException(nameof(DefaultEf), DefaultEf, "HnswOptions.DefaultEf must be ≥ 1.");
    }
}

/// <summary>Precision of the vectors an HNSW search computes its traversal distances on.</summary>
public enum TraversalPrecision
{
    /// <summary>Walk on the fp32 vectors (D·4 bytes per visited node).</summary>
    Float32 = 0,

    /// <summary>Walk on a bfloat16 copy (D·2 bytes per visited node), then re-score the final candidates in fp32.</summary>
    BFloat16 = 1,
}
