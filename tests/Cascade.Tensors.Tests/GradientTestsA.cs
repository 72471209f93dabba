using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>
/// Finite-difference checks for the activation, softmax, elementwise, reduction, shape, indexing and normalisation
/// ops: one row per op. Inputs are uniform in [Lo, Hi) and nudged away from 0 (the kink of relu-like ops); cases with
/// a restricted domain (log, sqrt, pow) use a positive range, and clamp/max cases pick values away from ties.
/// </summary>
public class GradientTestsA
{
    public sealed record Case(string Name, Func<Tensor[], Tensor> F, int[][] Shapes, float Lo = -1f, float Hi = 1f)
    {
        public override string ToString() => Name;
    }

    private static readonly MaskTensor KeyMask = MaskTensor.FromBools([true, true, false, true, false, true, true, true, true, false], [2, 1, 5]);
    private static readonly MaskTensor DropMask = MaskTensor.FromBools([false, false, true, false, true, false, false, false, false, true], [2, 1, 5]);

    public static readonly Case[] Cases =
    [
        new("tanh", x => Ops.Tanh(x[0]), [[3, 5]], -2f, 2f),
        new("leaky relu", x => Ops.LeakyRelu(x[0], 0.2f), [[4, 5]]),
        new("softplus", x => Ops.Softplus(x[0]), [[4, 5]], -3f, 3f),
        new("relu kernel", x => Ops.Relu(x[0]), [[2, 7]]),
        new("sigmoid kernel", x => Ops.Sigmoid(x[0]), [[2, 7]], -3f, 3f),
        new("prelu per channel", x => Ops.PRelu(x[0], x[1]), [[3, 4], [4]]),
        new("prelu shared", x => Ops.PRelu(x[0], x[1]), [[2, 3, 4], [1]]),
        new("dropout", x => Ops.Dropout(x[0], 0.3f, training: true, new Rng(5)), [[4, 6]]),
        new("dice training", x => Ops.Dice(x[0], x[1], Tensor.Zeros([4]), Tensor.Full([4], 1f), training: true, eps: 1e-3f), [[6, 4], [4]]),
        new("dice training 3d shared alpha", x => Ops.Dice(x[0], x[1], Tensor.Zeros([3]), Tensor.Full([3], 1f), training: true, eps: 1e-3f), [[2, 3, 3], [1]]),
        new("dice eval", x => Ops.Dice(x[0], x[1], Tensor.Full([4], 0.1f), Tensor.Full([4], 0.5f), training: false), [[5, 4], [4]]),
        new("softmax", x => Ops.Softmax(x[0]), [[3, 6]], -2f, 2f),
        new("softmax masked broadcast", x => Ops.Softmax(x[0], KeyMask), [[2, 3, 5]], -2f, 2f),
        new("log softmax", x => Ops.LogSoftmax(x[0]), [[3, 6]], -2f, 2f),
        new("log softmax masked", x => Ops.MaskedFill(Ops.LogSoftmax(x[0], KeyMask), DropMask, 0f), [[2, 3, 5]], -2f, 2f),

        new("sub", x => Ops.Sub(x[0], x[1]), [[3, 4], [3, 4]]),
        new("sub broadcast", x => Ops.Sub(x[0], x[1]), [[3, 1], [2, 3, 4]]),
        new("div", x => Ops.Div(x[0], x[1]), [[3, 4], [3, 4]], 0.5f, 2f),
        new("div broadcast", x => Ops.Div(x[0], x[1]), [[2, 3, 4], [4]], 0.5f, 2f),
        new("neg", x => Ops.Neg(x[0]), [[5]]),
        new("scalar forms", x => Ops.Div(3f, Ops.Add(Ops.Mul(Ops.Sub(1f, x[0]), 2f), 1f)), [[2, 3]], -0.9f, 0.9f),
        new("operators", x => (x[0] * 2f - x[1]) / (x[1] + 3f) + -x[0] * x[1] - 1f / (x[0] + 2f), [[3, 2], [2]]),
        new("exp", x => Ops.Exp(x[0]), [[3, 4]]),
        new("log", x => Ops.Log(x[0]), [[3, 4]], 0.5f, 2f),
        new("sqrt", x => Ops.Sqrt(x[0]), [[3, 4]], 0.5f, 2f),
        new("pow 3", x => Ops.Pow(x[0], 3f), [[3, 4]], 0.5f, 2f),
        new("pow 2", x => Ops.Pow(x[0], 2f), [[3, 4]]),
        new("pow -0.5", x => Ops.Pow(x[0], -0.5f), [[3, 4]], 0.5f, 2f),
        new("abs", x => Ops.Abs(x[0]), [[3, 4]]),
        new("clamp", x => Ops.Clamp(x[0], -0.5f, 0.5f), [[4, 5]]),

        new("sum axis", x => Ops.Sum(x[0], 1), [[2, 3, 4]]),
        new("sum axes keepdim", x => Ops.Sum(x[0], [0, 2], keepDim: true), [[2, 3, 4]]),
        new("mean axis", x => Ops.Mean(x[0], 0), [[3, 4]]),
        new("mean axes", x => Ops.Mean(x[0], [-1, 1]), [[2, 3, 4]]),
        new("max last axis", x => Ops.Max(x[0], -1), [[3, 5]]),
        new("max middle axis", x => Ops.Max(x[0], 1, keepDim: true), [[2, 4, 3]]),
        new("min axis 0", x => Ops.Min(x[0], 0), [[4, 3]]),
        new("max axes", x => Ops.Max(x[0], [0, 2]), [[2, 3, 4]]),

        new("concat axis 1", x => Ops.Concat([x[0], x[1], x[2]], 1), [[2, 1, 3], [2, 2, 3], [2, 3, 3]]),
        new("concat axis 0", x => Ops.Concat([x[0], x[1]], 0), [[1, 4], [2, 4]]),
        new("split axis 1", x => Ops.Mul(Ops.Split(x[0], [1, 3], 1)[1], Ops.Sum(Ops.Split(x[0], [2, 2], 1)[0], 1, keepDim: true)), [[3, 4]]),
        new("slice axis 0 view", x => Ops.Mul(Ops.Slice(x[0], 0, 1, 2), x[1]), [[4, 3], [2, 3]]),
        new("slice axis 1", x => Ops.Slice(x[0], 1, 1, 2), [[2, 4, 3]]),
        new("permute", x => Ops.Permute(x[0], [2, 0, 1]), [[2, 3, 4]]),
        new("transpose", x => Ops.MatMul(Ops.Transpose(x[0], 0, 1), x[1]), [[3, 2], [3, 4]]),
        new("unsqueeze squeeze", x => Ops.Squeeze(Ops.Mul(Ops.Unsqueeze(x[0], 1), x[1]), 0), [[1, 3], [2, 3]]),
        new("broadcast to", x => Ops.BroadcastTo(x[0], [2, 3, 4]), [[3, 1]]),

        new("index select axis 0", x => Ops.IndexSelect(x[0], 0, new IntTensor([2, 0, 2, 1], [2, 2])), [[3, 4]]),
        new("index select axis 1", x => Ops.IndexSelect(x[0], 1, IntTensor.FromArray([3, 3, 0])), [[2, 4, 2]]),
        new("gather", x => Ops.Gather(x[0], 1, new IntTensor([1, 1, 0, 2, 3, 0], [3, 2])), [[3, 4]]),
        new("where", x => Ops.Where(MaskTensor.FromBools([true, false, false, true], [4]), x[0], x[1]), [[3, 4], [3, 1]]),
        new("masked fill", x => Ops.MaskedFill(x[0], MaskTensor.FromBools([true, false, true], [3, 1]), 5f), [[3, 4]]),

        new("l2 normalize last axis", x => Ops.L2Normalize(x[0]), [[3, 4]]),
        new("l2 normalize axis 0", x => Ops.L2Normalize(x[0], 0), [[3, 2, 2]]),
        new("batched dot", x => Ops.BatchedDot(x[0], x[1]), [[3, 5], [3, 5]]),
        new("batched dot axis 1", x => Ops.BatchedDot(x[0], x[1], 1), [[2, 3, 2], [2, 3, 2]]),
        new("cosine similarity", x => Ops.CosineSimilarity(x[0], x[1]), [[3, 4], [3, 4]]),
    ];

    public static TheoryData<Case> All() => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void MatchesFiniteDifferences(Case c)
    {
        var inputs = new Tensor[c.Shapes.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Tensor.Uniform(c.Shapes[i], (ulong)(i + 31), c.Lo, c.Hi, requiresGrad: true);
            inputs[i].Name = $"x{i}";
            var s = inputs[i].Span;
            // Push values away from 0 by a shift that keeps them distinct (a fixed replacement value would create
            // ties, where max/min gradients are undefined).
            for (int j = 0; j < s.Length; j++) if (MathF.Abs(s[j]) < 0.05f) s[j] += s[j] >= 0f ? 0.1f : -0.1f;
        }
        var report = GradCheck.Check(c.F, inputs);
        Assert.True(report.Passed, $"{c.Name}: max error {report.MaxError:G4} at {report.Where}");
    }
}
