namespace Cascade.Models;

/// <summary>
/// A ranking model whose logit splits exactly into a part that depends on the request only (user and context
/// fields), computed once per request, and a part per ad that can be cached when the ad is loaded or changes.
/// Serving scores N ads of one request with <see cref="SplitCtrScorer.Score"/> instead of a batched
/// <see cref="CtrModel.Forward"/> over N (user, ad) rows, where every row would repeat the user's work.
/// </summary>
public interface ISplitCtrModel
{
    /// <summary>The split scorer of this model, or null when its configuration cannot be split exactly.</summary>
    SplitCtrScorer? CreateSplitScorer();
}

/// <summary>
/// Inference helper of an <see cref="ISplitCtrModel"/>: ad-side caches (<see cref="EncodeAds"/>), the request side
/// (<see cref="EncodeUser"/>) and the logits of N ads (<see cref="Score"/>), equal to the model's
/// <see cref="CtrModel.Forward"/> up to float rounding. Reads parameters only, so one instance serves concurrent
/// requests; call after the weights are final (the caches hold values derived from them).
/// </summary>
public abstract class SplitCtrScorer
{
    /// <summary>Floats of one ad's cache.</summary>
    public abstract int AdSize { get; }

    /// <summary>Floats of the request-side part.</summary>
    public abstract int UserSize { get; }

    /// <summary>Floats of the scratch <see cref="Score"/> needs for <paramref name="rows"/> ads.</summary>
    public abstract int WorkspaceSize(int rows);

    /// <summary>The ad-side cache of every row of <paramref name="input"/> (its item-side slots only). // (B, AdSize)</summary>
    public abstract void EncodeAds(ModelInput input, Span<float> caches);

    /// <summary>The request-side part of row 0 of <paramref name="input"/> (its user and context slots only). // (UserSize)</summary>
    public abstract void EncodeUser(ModelInput input, Span<float> user);

    /// <summary>
    /// Logits of the ads whose caches are <paramref name="ads"/> (each of <see cref="AdSize"/> floats) for the request
    /// part <paramref name="user"/>. <paramref name="workspace"/> holds at least <see cref="WorkspaceSize"/>(N) floats.
    /// </summary>
    public abstract void Score(ReadOnlySpan<float> user, ReadOnlySpan<float[]> ads, Span<float> logits, Span<float> workspace);
}

/// <summary>
/// A two-tower model that scores one user representation against many cached ad representations straight from
/// spans, without tiling the user and without tensor objects (the serving pre-ranking stage). Equal to
/// <see cref="ITwoTowerModel.Score"/> up to float rounding.
/// </summary>
public interface IRepresentationScorer
{
    /// <summary>
    /// scores[i] = Score(user, ads[i]): <paramref name="user"/> is one EncodeUser row flattened, each of
    /// <paramref name="ads"/> one EncodeAd row flattened.
    /// </summary>
    void ScoreRepresentations(ReadOnlySpan<float> user, ReadOnlySpan<float[]> ads, Span<float> scores);
}
