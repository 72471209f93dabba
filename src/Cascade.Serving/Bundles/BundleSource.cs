using Cascade.Features.Encoders;
using Cascade.Index;
using Cascade.Models;

namespace Cascade.Serving.Bundles;

/// <summary>An ad as exported into a bundle (and as the near-line "upsert" event carries it).</summary>
/// <param name="Id">Ad id.</param>
/// <param name="Bid">Bid per click.</param>
/// <param name="Budget">Remaining budget.</param>
/// <param name="Paused">Paused flag.</param>
/// <param name="Features">Raw ad-side features (column → string, double or string[]).</param>
/// <param name="Version">Version of this ad state (events must carry a higher one to apply).</param>
public sealed record AdSpec(long Id, double Bid, double Budget, bool Paused, IReadOnlyDictionary<string, object?> Features, long Version = 0);

/// <summary>A trained stage model with the settings that rebuild it.</summary>
/// <param name="Settings">Zoo name and hyper-parameters.</param>
/// <param name="Model">The trained model.</param>
/// <param name="Name">Selection name in the bundle (default: the zoo name); letters, digits, '-' and '_'.</param>
public sealed record TrainedStage(ModelSettings Settings, CtrModel Model, string? Name = null)
{
    /// <summary>The name the serving YAML selects this model by.</summary>
    public string SelectName => Name ?? Settings.Model;
}

/// <summary>A further model for one stage, exported beside the primary one so that the serving YAML can choose it.</summary>
/// <param name="Stage">"retrieval", "prerank" or "rank".</param>
/// <param name="Model">The trained model.</param>
public sealed record StageAlternative(string Stage, TrainedStage Model);

/// <summary>Everything <see cref="Bundle.Export"/> needs: the fitted encoder, the three stage models and the ad corpus.</summary>
public sealed record BundleSource(SchemaEncoder Encoder, TrainedStage Retrieval, TrainedStage Prerank, TrainedStage Rank, IReadOnlyList<AdSpec> Ads)
{
    /// <summary>
    /// HNSW options of the retrieval index. Vectors are L2-normalised by the exporter and the updater (a zero vector,
    /// which ReLU towers can produce, stays zero), so inner product ranks like DSSM's cosine score γ·cos + b.
    /// </summary>
    public HnswOptions Index { get; init; } = new() { Metric = Metric.InnerProduct, M = 16, EfConstruction = 100, DefaultEf = 64 };

    /// <summary>
    /// Further models per stage (e.g. DSSM as a second pre-ranker): each gets its own checkpoint, and its own cached
    /// representations (pre-ranking) or HNSW index (retrieval); the serving YAML names which one serves.
    /// </summary>
    public IReadOnlyList<StageAlternative> Alternatives { get; init; } = [];
}
