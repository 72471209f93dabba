namespace Cascade.Features.Schema;

/// <summary>
/// One feature declared once: the reader, the encoder, the model's embedding layer, the bundle and the serving
/// parser all read this record. Built by <see cref="SchemaLoader"/> from YAML or directly in code.
/// </summary>
public sealed record FeatureSpec
{
    /// <summary>Unique feature name (also the default source column and embedding table).</summary>
    public required string Name { get; init; }
    /// <summary>Kind of feature.</summary>
    public required FeatureKind Kind { get; init; }
    /// <summary>Raw column this feature reads; defaults to <see cref="Name"/>.</summary>
    public string? Source { get; init; }
    /// <summary>Second raw column (the item vector of an embedding-similarity feature, or a sequence's timestamps).</summary>
    public string? SecondSource { get; init; }
    /// <summary>Owning side.</summary>
    public FeatureSide Side { get; init; } = FeatureSide.Context;
    /// <summary>Static or dynamic.</summary>
    public FeatureLifetime Lifetime { get; init; } = FeatureLifetime.Static;
    /// <summary>Embedding table name; features naming the same table share it (movie id and history of movie ids).</summary>
    public string? EmbeddingTable { get; init; }
    /// <summary>Embedding dimension D of this feature's table.</summary>
    public int EmbeddingDim { get; init; } = 16;
    /// <summary>GwPFM field part (e.g. "user", "ad"); null when unused.</summary>
    public string? FieldPart { get; init; }
    /// <summary>GwPFM field group; null when unused.</summary>
    public string? FieldGroup { get; init; }
    /// <summary>Monotone direction for bid features (BAR).</summary>
    public MonotoneDirection Monotone { get; init; } = MonotoneDirection.None;
    /// <summary>Vocabulary or hashing (sparse, multi-hot, sequence).</summary>
    public IdEncoding Encoding { get; init; } = IdEncoding.Vocabulary;
    /// <summary>Minimum training count for a vocabulary entry; rarer values map to OOV id 0.</summary>
    public int MinCount { get; init; } = 1;
    /// <summary>Bucket count for hashed ids (ids 1..HashBuckets).</summary>
    public int HashBuckets { get; init; }
    /// <summary>Separator inside one raw value for multi-hot and sequence features.</summary>
    public string Separator { get; init; } = "|";
    /// <summary>Maximum length kept for multi-hot and sequence features (sequences keep the newest).</summary>
    public int MaxLength { get; init; } = 50;
    /// <summary>Pooling the model applies to a multi-hot feature.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;
    /// <summary>Dense transform.</summary>
    public DenseTransform Transform { get; init; } = DenseTransform.Raw;
    /// <summary>Number of quantile buckets (bucketized).</summary>
    public int NumBuckets { get; init; } = 10;
    /// <summary>Numeral-system bases for MNS, similarity and LSH features; default binary, ternary, decimal.</summary>
    public IReadOnlyList<int> Bases { get; init; } = [2, 3, 10];
    /// <summary>MNS: the integer coded is round((x − MnsOffset) · MnsScale), clamped to [0, MnsMax].</summary>
    public double MnsScale { get; init; } = 1;
    /// <summary>MNS offset subtracted before scaling.</summary>
    public double MnsOffset { get; init; }
    /// <summary>Largest integer MNS codes (sets the digit count per base).</summary>
    public long MnsMax { get; init; } = 1000;
    /// <summary>Length of the input vectors (similarity and LSH).</summary>
    public int VectorDim { get; init; }
    /// <summary>Number of SimHash hyperplanes (bits of the HashID, 1..30).</summary>
    public int LshBits { get; init; } = 16;
    /// <summary>Seed of the SimHash hyperplanes.</summary>
    public ulong LshSeed { get; init; } = 17;
    /// <summary>Line in the schema file where this feature was declared (0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>Source column, defaulting to the name.</summary>
    public string SourceColumn => Source ?? Name;
    /// <summary>Embedding table, defaulting to the name.</summary>
    public string Table => EmbeddingTable ?? Name;
}

/// <summary>A dataset section: where data comes from, the label and the features.</summary>
public sealed record DatasetSchema
{
    /// <summary>Dataset name.</summary>
    public required string Name { get; init; }
    /// <summary>Reader format: movielens, amazon, criteo, avazu, taobao, csv, tsv.</summary>
    public string Format { get; init; } = "csv";
    /// <summary>Data path (file or folder), relative to the schema file.</summary>
    public string? Path { get; init; }
    /// <summary>Label column.</summary>
    public string Label { get; init; } = "label";
    /// <summary>When set, label = 1 if the label column's value &gt; threshold else 0 (e.g. 3 for ratings); otherwise the value itself.</summary>
    public double? LabelThreshold { get; init; }
    /// <summary>Optional sample-weight column.</summary>
    public string? Weight { get; init; }
    /// <summary>Column holding the user key (used for GAUC grouping); optional.</summary>
    public string? UserKey { get; init; }
    /// <summary>Column holding the sample timestamp (streaming order, temporal split); optional.</summary>
    public string? Timestamp { get; init; }
    /// <summary>Column holding the HAP source tag (retrieval / ranking / exposure); optional, default exposure.</summary>
    public string? SourceTag { get; init; }
    /// <summary>CSV/TSV: whether the first line is a header.</summary>
    public bool Header { get; init; } = true;
    /// <summary>The features, in declaration order.</summary>
    public required IReadOnlyList<FeatureSpec> Features { get; init; }
    /// <summary>File this schema was loaded from, if any.</summary>
    public string? File { get; init; }

    /// <summary>Index of a feature by name, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Features.Count; i++) if (Features[i].Name == name) return i;
        return -1;
    }
}
