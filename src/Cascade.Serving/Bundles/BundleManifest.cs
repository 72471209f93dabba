namespace Cascade.Serving.Bundles;

/// <summary>One file of a bundle with its SHA-256 (hex) and size, relative to the bundle directory.</summary>
public sealed record BundleFile(string Path, string Sha256, long Bytes);

/// <summary>
/// The model of one cascade stage: how to rebuild it (<see cref="Cascade.Models.ModelSettings"/> fields), where its
/// checkpoint lives and, for two-tower stages, the shape of one cached ad representation.
/// </summary>
/// <param name="Stage">"retrieval", "prerank" or "rank".</param>
/// <param name="Model">ModelZoo name.</param>
/// <param name="Parameters">Model parameters (ModelSettings).</param>
/// <param name="Seed">ModelSettings seed.</param>
/// <param name="EmbeddingDim">ModelSettings embedding dim.</param>
/// <param name="EmbeddingInitStd">ModelSettings embedding init std.</param>
/// <param name="Checkpoint">Checkpoint directory, relative to the bundle.</param>
/// <param name="AdRepresentationShape">Shape of one ad's EncodeAd output without the batch axis (empty for rank).</param>
/// <param name="Name">
/// The name the serving YAML selects this model by (<c>prerank.model: hit</c>); unique within its stage. Null in bundles
/// written before stages could hold several models: then it is <paramref name="Model"/>.
/// </param>
/// <param name="Representations">Pre-ranking only: the cached ad representations file (default reps/prerank.safetensors).</param>
/// <param name="IndexFile">Retrieval only: the HNSW snapshot over this model's ad embeddings (default index.hnsw).</param>
public sealed record StageModel(string Stage, string Model, IReadOnlyDictionary<string, string> Parameters, ulong Seed,
    int EmbeddingDim, float EmbeddingInitStd, string Checkpoint, int[] AdRepresentationShape,
    string? Name = null, string? Representations = null, string? IndexFile = null)
{
    /// <summary>The selection name: <see cref="Name"/>, or the model name for older bundles.</summary>
    public string SelectName => Name ?? Model;
}

/// <summary>
/// manifest.json of a serving bundle: schema, versions, stage models and checksums of every other file. The
/// encoder (vocabularies, scalers) is encoder.json, written by <see cref="Cascade.Features.Encoders.SchemaEncoder.ToJson"/>.
/// </summary>
/// <param name="Format">Always <see cref="Bundle.FormatName"/>.</param>
/// <param name="FormatVersion">Bundle format version.</param>
/// <param name="CreatedUtc">ISO-8601 creation time.</param>
/// <param name="EncoderJsonVersion">SchemaEncoder JSON version the encoder was written with.</param>
/// <param name="Schema">Dataset schema name.</param>
/// <param name="AdCount">Ads in ads.jsonl (rows of the representation tensors).</param>
/// <param name="IndexMetric">HNSW metric name.</param>
/// <param name="IndexDimensions">HNSW vector dimension (= retrieval representation size).</param>
/// <param name="Stages">Stage models.</param>
/// <param name="Files">Every other file with its checksum.</param>
public sealed record BundleManifest(string Format, int FormatVersion, string CreatedUtc, int EncoderJsonVersion, string Schema,
    int AdCount, string IndexMetric, int IndexDimensions, IReadOnlyList<StageModel> Stages, IReadOnlyList<BundleFile> Files);

/// <summary>A bundle that cannot be written or loaded; the message names the file and what is wrong.</summary>
public sealed class BundleException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public BundleException(string path, string problem, Exception? inner = null) : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The offending file or directory.</summary>
    public string FilePath { get; }
}
