namespace Cascade.Features.Schema;

/// <summary>What a feature is and therefore how it is encoded.</summary>
public enum FeatureKind
{
    /// <summary>One categorical id per sample (vocabulary or hashed). Width 1 id.</summary>
    Sparse,
    /// <summary>A variable-length set of ids (e.g. genres), pooled by the model. Stored as values + offsets.</summary>
    MultiHot,
    /// <summary>One float per sample, transformed (raw, min-max, standardise, log1p).</summary>
    Dense,
    /// <summary>A numeric value mapped to one of N quantile buckets (an id).</summary>
    Bucketized,
    /// <summary>A non-negative numeric value written in several numeral systems (Tencent Eq. 2); fixed-width ids.</summary>
    Mns,
    /// <summary>A behaviour sequence of ids with timestamps, newest last, truncated to max length.</summary>
    Sequence,
    /// <summary>Cosine similarity of two pre-trained vectors, encoded with MNS (Tencent §3.3).</summary>
    EmbeddingSimilarity,
    /// <summary>Random-hyperplane SimHash of a content vector read as an ordinal id and encoded with MNS (Tencent §3.2).</summary>
    LshHashId,
}

/// <summary>Which tower owns a feature: HIT and the two-tower models split on this.</summary>
public enum FeatureSide
{
    /// <summary>Describes the user (profile, history).</summary>
    User,
    /// <summary>Describes the item or ad.</summary>
    Item,
    /// <summary>Describes the request (time, device, position).</summary>
    Context,
}

/// <summary>Whether a feature changes during an item's life; HIT feeds only static features to its generators.</summary>
public enum FeatureLifetime
{
    /// <summary>Fixed for the entity (id, category, gender).</summary>
    Static,
    /// <summary>Changes over time (bid, budget left, recent counts).</summary>
    Dynamic,
}

/// <summary>BAR Table 1: how the score must move when a bid feature grows.</summary>
public enum MonotoneDirection
{
    /// <summary>No constraint.</summary>
    None,
    /// <summary>Score non-decreasing in the feature.</summary>
    Increasing,
    /// <summary>Score non-increasing in the feature.</summary>
    Decreasing,
}

/// <summary>How a dense value is transformed before it reaches the model.</summary>
public enum DenseTransform
{
    /// <summary>x unchanged.</summary>
    Raw,
    /// <summary>(x − min) / (max − min) with the fitted min and max; not clipped, so values outside the fit range leave [0, 1].</summary>
    MinMax,
    /// <summary>(x − mean) / std.</summary>
    Standardize,
    /// <summary>sign(x)·log(1 + |x|).</summary>
    Log1p,
}

/// <summary>How a variable-length id list is reduced to one vector by the model.</summary>
public enum PoolingMode
{
    /// <summary>Mean of the embeddings.</summary>
    Mean,
    /// <summary>Sum of the embeddings.</summary>
    Sum,
    /// <summary>Element-wise max of the embeddings.</summary>
    Max,
}

/// <summary>How a categorical string becomes an id.</summary>
public enum IdEncoding
{
    /// <summary>A fitted vocabulary (min-count, OOV id 0).</summary>
    Vocabulary,
    /// <summary>A stable 64-bit hash (FNV-1a) modulo the bucket count, plus one (0 stays "missing").</summary>
    Hashed,
}
