using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>Table-driven finite-difference checks: one row per op (ggml test-backend-ops style).</summary>
public class GradientTests
{
    public sealed record Case(string Name, Func<Tensor[], Tensor> F, int[][] Shapes, float Lo = -1f, float Hi = 1f)
    {
        public override string ToString() => Name;
    }

    public static readonly Case[] Cases =
    [
        new("add", x => Ops.Add(x[0], x[1]), [[3, 4], [3, 4]]),
        new("add broadcast row", x => Ops.Add(x[0], x[1]), [[3, 4], [4]]),
        new("add broadcast column", x => Ops.Add(x[0], x[1]), [[3, 1], [2, 3, 4]]),
        new("mul", x => Ops.Mul(x[0], x[1]), [[2, 5], [2, 5]]),
        new("mul broadcast", x => Ops.Mul(x[0], x[1]), [[2, 3, 4], [3, 1]]),
        new("matmul", x => Ops.MatMul(x[0], x[1]), [[3, 5], [5, 2]]),
        new("relu", x => Ops.Relu(x[0]), [[4, 6]]),
        new("sigmoid", x => Ops.Sigmoid(x[0]), [[4, 6]], -4f, 4f),
        new("sum", x => Ops.Sum(x[0]), [[3, 7]]),
        new("mean", x => Ops.Mean(x[0]), [[3, 7]]),
        new("reshape", x => Ops.Mul(Ops.Reshape(x[0], [6, -1]), x[1]), [[2, 3, 4], [6, 4]]),
    ];

    public static TheoryData<Case> All() => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void MatchesFiniteDifferences(Case c)
    {
        var inputs = new Tensor[c.Shapes.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Tensor.Uniform(c.Shapes[i], (ulong)(i + 11), c.Lo, c.Hi, requiresGrad: true);
            inputs[i].Name = $"x{i}";
            // Keep relu inputs away from the kink, where finite differences are meaningless.
            var s = inputs[i].Span;
            for (int j = 0; j < s.Length; j++) if (MathF.Abs(s[j]) < 0.05f) s[j] = 0.1f;
        }
        var report = GradCheck.Check(c.F, inputs);
        Assert.True(report.Passed, $"{c.Name}: max error {report.MaxError:G4} at {report.Where}");
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // An op whose backward is deliberately off by a factor of 2 must fail the harness.
        static Tensor Wrong(Tensor[] x)
        {
            var y = Tensor.Empty(x[0].Shape);
            x[0].Span.CopyTo(y.Span);
            if (Autograd.ShouldRecord(x[0]))
                y.Record("wrong", [x[0]], g =>
                {
                    var gx = x[0].GradSpanForAccumulate();
                    for (int i = 0; i < gx.Length; i++) gx[i] += 2 * g.Span[i];
                });
            return y;
        }
        var input = Tensor.Uniform([3], 1, -1, 1, requiresGrad: true);
        Assert.False(GradCheck.Check(Wrong, [input]).Passed);
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var w = Tensor.FromArray([1f, 2f], [2], requiresGrad: true);
        Ops.Sum(Ops.Mul(w, w)).Backward();
        Ops.Sum(Ops.Mul(w, w)).Backward();
        Assert.Equal([4f, 8f], w.Grad!.ToArray());
        w.ZeroGrad();
        Assert.Equal([0f, 0f], w.Grad!.ToArray());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var w = Tensor.FromArray([1f, 2f], [2], requiresGrad: true);
        Tensor y;
        using (Autograd.NoGrad()) y = Ops.Mul(w, w);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
    }

    [Fact]
    public void DetachStopsGradient()
    {
        var w = Tensor.FromArray([3f], [1], requiresGrad: true);
        var y = Ops.Mul(w, w.Detach());
        Ops.Sum(y).Backward();
        Assert.Equal(3f, w.Grad!.Span[0]);
    }
}
