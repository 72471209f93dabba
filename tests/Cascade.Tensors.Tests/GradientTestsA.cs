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
            for (int j = 0; j < s.Length; j++) if (MathF.Abs(s[j]) < 0.05f) s[j] = 0.1f;
        }
        var report = GradCheck.Check(c.F, inputs);
        Assert.True(report.Passed, $"{c.Name}: max error {report.MaxError:G4} at {report.Where}");
    }
}
