using Cascade.Kernels;

namespace Cascade.Tensors.Tests;

/// <summary>
/// Finite-difference checks for the fused ops (linear, embeddings, norms, losses, batched matmul, attention,
/// GRU/AUGRU): one row per op, same harness as <see cref="GradientTests"/>. <c>NoGrad</c> lists inputs that are
/// data (labels, weights) rather than parameters; <c>Prepare</c> shapes an input's values (e.g. labels in [0, 1]).
/// </summary>
public class GradientTestsB
{
    public sealed record Case(string Name, Func<Tensor[], Tensor> F, int[][] Shapes, float Lo = -1f, float Hi = 1f,
        int[]? NoGrad = null, Action<Tensor[]>? Prepare = null)
    {
        public override string ToString() => Name;
    }

    private static readonly IntTensor Ids = new([3, 1, 3, 0, -1, 4], [2, 3]);
    private static readonly IntTensor BagIds = IntTensor.FromArray([0, 2, 2, 4, 1, -1, 3]);
    private static readonly IntTensor BagOffsets = IntTensor.FromArray([0, 3, 3, 7]);
    private static readonly IntTensor Classes = IntTensor.FromArray([2, 0, 3]);
    private static readonly IntTensor Lengths = IntTensor.FromArray([3, 1, 0]);
    private static readonly IntTensor KeyMask = new([1, 0, 1, 0, 0, 0], [2, 3]);
    private static readonly IntTensor StepMask = new([1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0], [3, 4]);
    private static readonly int[][] GruShapes = [[3, 4, 2], [9, 2], [9, 3], [9], [9], [3, 3]];

    private static void Labels01(Tensor[] x) => Rescale(x[1], 0f, 1f);

    private static void Rescale(Tensor t, float lo, float hi)
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = lo + (hi - lo) * (s[i] + 1f) / 2f;
    }

    private static Tensor BnTrain(Tensor[] x) =>
        Ops.BatchNorm(x[0], x[1], x[2], Tensor.Zeros([x[0].Dim(-1)]), Tensor.Full([x[0].Dim(-1)], 1f), training: true);

    public static readonly Case[] Cases =
    [
        new("linear bias", x => Ops.Linear(x[0], x[1], x[2]), [[4, 5], [3, 5], [3]]),
        new("linear 3-d no bias", x => Ops.Linear(x[0], x[1], null), [[2, 3, 5], [4, 5]]),
        new("embedding", x => Ops.Embedding(x[0], Ids, paddingId: -1), [[5, 3]]),
        new("embedding bag sum", x => Ops.EmbeddingBag(x[0], BagIds, BagOffsets, BagMode.Sum), [[5, 4]]),
        new("embedding bag mean", x => Ops.EmbeddingBag(x[0], BagIds, BagOffsets, BagMode.Mean), [[5, 4]]),
        new("embedding bag max", x => Ops.EmbeddingBag(x[0], BagIds, BagOffsets, BagMode.Max), [[5, 4]]),
        new("layer norm", x => Ops.LayerNorm(x[0], x[1], x[2]), [[3, 6], [6], [6]], -2f, 2f),
        new("layer norm no affine 3-d", x => Ops.LayerNorm(x[0], null, null), [[2, 2, 5]], -2f, 2f),
        new("batch norm train 2-d", BnTrain, [[6, 3], [3], [3]], -2f, 2f),
        new("batch norm train 3-d", BnTrain, [[2, 3, 4], [4], [4]], -2f, 2f),
        new("batch norm eval", x => Ops.BatchNorm(x[0], x[1], x[2], Tensor.FromArray([0.1f, -0.2f, 0.3f], [3]),
            Tensor.FromArray([0.5f, 2f, 1f], [3]), training: false), [[4, 3], [3], [3]]),
        new("bce with logits", x => Ops.BinaryCrossEntropyWithLogits(x[0], x[1], x[2]), [[2, 5], [2, 5], [2, 5]], -3f, 3f,
            NoGrad: [1, 2], Prepare: x => { Labels01(x); Rescale(x[2], 0.2f, 2f); }),
        new("bce with logits sum", x => Ops.BinaryCrossEntropyWithLogits(x[0], x[1], reduction: LossReduction.Sum), [[7], [7]], -3f, 3f,
            NoGrad: [1], Prepare: Labels01),
        new("mse weighted", x => Ops.Mse(x[0], x[1], x[2]), [[3, 4], [3, 4], [3, 4]], NoGrad: [2]),
        new("pairwise logistic", x => Ops.PairwiseLogistic(x[0], x[1], x[2]), [[6], [6], [6]], -3f, 3f, NoGrad: [2],
            Prepare: x => Rescale(x[2], 0.5f, 1.5f)),
        new("softmax cross entropy weighted", x => Ops.SoftmaxCrossEntropy(x[0], Classes, x[1]), [[3, 4], [3]], -3f, 3f, NoGrad: [1]),
        new("sampled softmax logQ temperature", x => Ops.SampledSoftmax(x[0], x[1], temperature: 0.5f), [[2, 4], [2, 4]], -2f, 2f, NoGrad: [1]),
        new("sampled softmax embeddings", x => Ops.SampledSoftmax(x[0], x[1], null, reduction: LossReduction.Sum), [[2, 3], [2, 4, 3]]),
        new("in-batch softmax logQ temperature", x => Ops.InBatchSampledSoftmax(x[0], x[1], x[2], temperature: 0.5f), [[4, 3], [4, 3], [4]], NoGrad: [2]),
        new("cosine distance", x => Ops.CosineDistance(x[0], x[1]), [[3, 4], [3, 4]]),
        new("batch matmul", x => Ops.BatchMatMul(x[0], x[1]), [[2, 3, 4], [2, 4, 2]]),
        new("batch matmul 4-d", x => Ops.BatchMatMul(x[0], x[1]), [[2, 2, 3, 2], [2, 2, 2, 3]]),
        new("batch matmul shared weight", x => Ops.BatchMatMul(x[0], x[1]), [[2, 2, 3, 4], [4, 5]]),
        new("matmul transpose b", x => Ops.MatMulTransposeB(x[0], x[1]), [[2, 3, 4], [2, 5, 4]]),
        new("matmul transpose b shared", x => Ops.MatMulTransposeB(x[0], x[1]), [[2, 3, 4], [5, 4]]),
        new("sdpa", x => Ops.ScaledDotProductAttention(x[0], x[1], x[2]), [[2, 2, 3, 4], [2, 2, 5, 4], [2, 2, 5, 3]], -2f, 2f),
        new("sdpa at AutoInt's head shape (small path)", x => Ops.ScaledDotProductAttention(x[0], x[1], x[2]), [[2, 2, 6, 16], [2, 2, 6, 16], [2, 2, 6, 16]], -2f, 2f),
        new("sdpa above SmallGemm.MaxMacs (packed GEMM path)", x => Ops.ScaledDotProductAttention(x[0], x[1], x[2]), [[1, 1, 18, 48], [1, 1, 20, 48], [1, 1, 20, 8]], -1f, 1f),
        new("sdpa key mask with empty row", x => Ops.ScaledDotProductAttention(x[0], x[1], x[2], KeyMask), [[2, 1, 3, 4], [2, 1, 3, 4], [2, 1, 3, 2]], -2f, 2f),
        new("multi-head attention", x => Ops.MultiHeadAttention(x[0], x[1], x[1],
            new AttentionWeights(x[2], x[3], x[4], null, x[5], x[6], x[7], x[8]), heads: 2, KeyMask),
            [[2, 2, 3], [2, 3, 5], [4, 3], [4], [4, 5], [2, 5], [2], [3, 2], [3]]),
        new("factorization machine", x => Ops.FactorizationMachine(x[0]), [[3, 4, 5]]),
        new("factorization machine D = 21 (vector and scalar tails)", x => Ops.FactorizationMachine(x[0]), [[2, 3, 21]]),
        new("gru outputs", x => Ops.Gru(x[0], Lengths, new GruWeights(x[1], x[2], x[3], x[4]), x[5]).Outputs, GruShapes),
        new("gru final", x => Ops.Gru(x[0], Lengths, new GruWeights(x[1], x[2], x[3], x[4]), x[5]).Final, GruShapes),
        new("augru outputs", x => Ops.AuGru(x[0], x[6], Lengths, new GruWeights(x[1], x[2], x[3], x[4]), x[5]).Outputs,
            [.. GruShapes, [3, 4]], Prepare: x => Rescale(x[6], 0f, 1f)),
        new("gru mask with holes", x => Ops.Gru(x[0], null, new GruWeights(x[1], x[2], x[3], x[4]), x[5], StepMask).Outputs, GruShapes),
        new("augru final no h0 no biases", x => Ops.AuGru(x[0], x[3], null, new GruWeights(x[1], x[2], null, null)).Final,
            [[3, 4, 2], [9, 2], [9, 3], [3, 4]], Prepare: x => Rescale(x[3], 0f, 1f)),
    ];


    public static TheoryData<Case> All() => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void MatchesFiniteDifferences(Case c)
    {
        var inputs = new Tensor[c.Shapes.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Tensor.Uniform(c.Shapes[i], (ulong)(i + 31), c.Lo, c.Hi, requiresGrad: c.NoGrad is null || !c.NoGrad.Contains(i));
            inputs[i].Name = $"x{i}";
        }
        c.Prepare?.Invoke(inputs);
        var report = GradCheck.Check(c.F, inputs);
        Assert.True(report.Passed, $"{c.Name}: max error {report.MaxError:G4} at {report.Where}");
    }
}
