using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.TwoTower;

/// <summary>
/// Tower MLP settings shared by the two-tower models, read through <see cref="ModelSettings"/>:
/// <c>tower</c> (layer widths), <c>batch_norm</c> (true/false) and <c>dropout</c>. As in IntTower's DeepCTR-style
/// <c>DNN</c>, every layer, the last included, is Linear → BatchNorm → ReLU → Dropout, so tower outputs are ≥ 0.
/// Deviation: weights start Xavier-uniform instead of the scripts' N(0, 1e-4); batch norm follows every layer, which
/// makes the forward invariant to that scale, and Adam's first steps erase the rest.
/// </summary>
public static class TowerSettings
{
    /// <summary>Reads the tower options of <paramref name="settings"/> for an input of <paramref name="inputSize"/>.</summary>
    public static MlpOptions Read(ModelSettings settings, int inputSize, int[] defaultSizes, float defaultDropout, ulong seedOffset)
    {
        var sizes = settings.Ints("tower", defaultSizes);
        if (sizes.Length == 0 || sizes.Any(s => s < 1))
            throw new ArgumentException($"Model '{settings.Model}' parameter 'tower': expected positive layer widths, got [{string.Join(", ", sizes)}].");
        bool bn = settings.Bool("batch_norm", true);
        float dropout = settings.Float("dropout", defaultDropout);
        if (dropout is < 0f or >= 1f) throw new ArgumentException($"Model '{settings.Model}' parameter 'dropout': expected a value in [0, 1), got {dropout}.");
        return new MlpOptions(inputSize, sizes, Activation.Relu, dropout, bn ? MlpNorm.BatchNorm : MlpNorm.None,
            ActivateLast: true, Seed: settings.Seed + seedOffset);
    }

    /// <summary>Reads a positive integer parameter.</summary>
    public static int PositiveInt(ModelSettings settings, string key, int fallback)
    {
        int v = settings.Int(key, fallback);
        if (v < 1) throw new ArgumentException($"Model '{settings.Model}' parameter '{key}': expected a positive integer, got {v}.");
        return v;
    }
}

/// <summary>
/// IntTower's <c>PredictionLayer</c>: a learned scalar bias added to the score before the sigmoid, logit = s + b.
/// </summary>
public sealed class PredictionBias : Module
{
    /// <summary>Creates the bias (0).</summary>
    public PredictionBias() => Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([1]), group: Parameter.NoDecayGroup));

    /// <summary>b (1).</summary>
    public Parameter Bias { get; }

    /// <summary>s (B) → s + b (B).</summary>
    public Tensor Forward(Tensor scores) => Ops.Add(scores, Bias.Value);
}

/// <summary>Score functions of the two-tower models.</summary>
public static class TowerScores
{
    /// <summary>γ · cos(u, v) along the last axis (IntTower's <c>Cosine_Similarity</c> with gamma). (B, D), (B, D) → (B)</summary>
    public static Tensor Cosine(Tensor user, Tensor ad, float gamma)
    {
        var c = Ops.CosineSimilarity(user, ad);
        return gamma == 1f ? c : Ops.Mul(c, gamma);
    }

    /// <summary>
    /// Max-then-sum (HIT Eq. 7, IntTower's light interaction): Σ over user vectors of the max over ad vectors of their
    /// dot products. user (B, Hu, z), ad (B, Ha, z) → (B). The gradient reaches only the winning ad vector of each
    /// user vector.
    /// </summary>
    public static Tensor MaxSum(Tensor user, Tensor ad)
    {
        if (user.Rank != 3 || ad.Rank != 3 || user.Dim(0) != ad.Dim(0) || user.Dim(2) != ad.Dim(2))
            throw new ArgumentException($"Max-then-sum needs user (B, Hu, z) and ad (B, Ha, z); got {ShapeUtil.Format(user.Shape)} and {ShapeUtil.Format(ad.Shape)}.");
        var dots = Ops.BatchMatMul(user, ad, transposeB: true); // (B, Hu, Ha)
        return Ops.Sum(Ops.Max(dots, 2), 1);                    // (B)
    }

    /// <summary>
    /// In-batch contrastive loss (InfoNCE, temperature τ) over the positive rows: for each row i with y_i = 1,
    /// −log softmax_j(cos(u_i, v_j) / τ)[i], weighted by the sample weight and averaged over the positive rows
    /// (0 when the batch has none). user (B, D), ad (B, D) → scalar.
    /// </summary>
    public static Tensor InBatchContrastive(Tensor user, Tensor ad, Tensor labels, Tensor weights, float tau)
    {
        int b = user.Dim(0);
        var logits = Ops.Div(Ops.MatMulTransposeB(Ops.L2Normalize(user), Ops.L2Normalize(ad)), tau); // (B, B)
        var diag = new int[b];
        for (int i = 0; i < b; i++) diag[i] = i;
        var logP = Ops.Reshape(Ops.Gather(Ops.LogSoftmax(logits), 1, new IntTensor(diag, [b, 1])), [b]); // (B)
        var w = Ops.Mul(labels, weights); // (B), constants
        float positives = 0;
        foreach (float y in labels.Span) positives += y;
        return Ops.Div(Ops.Neg(Ops.Sum(Ops.Mul(logP, w))), MathF.Max(1f, positives));
    }
}
