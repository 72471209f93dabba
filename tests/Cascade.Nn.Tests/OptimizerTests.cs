using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public class OptimizerTests
{
    // Tiny problem for every trajectory: L(w) = ½ Σ (w − t)², so g = w − t; w0 = [1, −2], t = [0.5, 0.5].
    private static readonly double[] W0 = [1, -2];
    private static readonly double[] Target = [0.5, 0.5];

    private static float[] Run(Func<IEnumerable<ParameterGroup>, Optimizer> make, int steps = 2, float lr = 0.1f, float wd = 0f, double[]? w0 = null)
    {
        var p = new Parameter(Tensor.FromArray((w0 ?? W0).Select(v => (float)v).ToArray(), [2]));
        var opt = make([new ParameterGroup([p], lr, wd)]);
        var t = Tensor.FromArray(Target.Select(v => (float)v).ToArray(), [2]);
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            var d = Ops.Sub(p.Value, t);
            Ops.Mul(Ops.Sum(Ops.Mul(d, d)), 0.5f).Backward();
            opt.Step();
        }
        return p.Value.ToArray();
    }

    private static void AssertTrajectory(double[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void SgdPlainByHand()
    {
        // w1 = w0 − 0.1(w0 − t) ; coordinate 0: 1 → 0.95 → 0.905; coordinate 1: −2 → −1.75 → −1.525.
        AssertTrajectory([0.905, -1.525], Run(g => new Sgd(g)));
    }

    [Fact]
    public void SgdMomentumAndNesterovByHand()
    {
        // Coordinate 0 (g0 = 0.5): v1 = 0.5, w1 = 0.95; g1 = 0.45, v2 = 0.9·0.5 + 0.45 = 0.9, w2 = 0.95 − 0.09 = 0.86.
        // Coordinate 1 (g0 = −2.5): v1 = −2.5, w1 = −1.75; g1 = −2.25, v2 = −4.5, w2 = −1.75 + 0.45 = −1.3.
        AssertTrajectory([0.86, -1.3], Run(g => new Sgd(g, momentum: 0.9f)));
        // Nesterov: w1 = w0 − lr(g0 + μ v1) = 1 − 0.1(0.5 + 0.45) = 0.905; g1 = 0.405; v2 = 0.45 + 0.405 = 0.855;
        // w2 = 0.905 − 0.1(0.405 + 0.9·0.855) = 0.905 − 0.11745 = 0.78755.
        var nesterov = Run(g => new Sgd(g, momentum: 0.9f, nesterov: true));
        Assert.Equal(0.78755, nesterov[0], 5);
    }

    [Fact]
    public void SgdWeightDecayIsCoupledL2()
    {
        // g' = (w − t) + 0.5·w: 1 → 1 − 0.1(0.5 + 0.5) = 0.9 → 0.9 − 0.1(0.4 + 0.45) = 0.815.
        Assert.Equal(0.815, Run(g => new Sgd(g), wd: 0.5f)[0], 5);
    }

    [Fact]
    public void AdamByHand()
    {
        var expected = W0.Select((w, i) =>
        {
            double mi = 0, vi = 0;
            for (int s = 1; s <= 2; s++)
            {
                double g = w - Target[i];
                mi = 0.9 * mi + 0.1 * g;
                vi = 0.999 * vi + 0.001 * g * g;
                double mh = mi / (1 - Math.Pow(0.9, s)), vh = vi / (1 - Math.Pow(0.999, s));
                w -= 0.1 * mh / (Math.Sqrt(vh) + 1e-8);
            }
            return w;
        }).ToArray();
        // Step 1 moves each coordinate by exactly lr against its gradient's sign: 1 → 0.9, −2 → −1.9.
        AssertTrajectory([0.9, -1.9], Run(g => new Adam(g), steps: 1));
        AssertTrajectory(expected, Run(g => new Adam(g)));
    }

    [Fact]
    public void AdamWDecouplesDecay()
    {
        double lr = 0.1, wd = 0.5;
        var expected = W0.Select((w, i) =>
        {
            double mi = 0, vi = 0;
            for (int s = 1; s <= 2; s++)
            {
                double g = w - Target[i];
                mi = 0.9 * mi + 0.1 * g;
                vi = 0.999 * vi + 0.001 * g * g;
                double mh = mi / (1 - Math.Pow(0.9, s)), vh = vi / (1 - Math.Pow(0.999, s));
                w -= lr * (mh / (Math.Sqrt(vh) + 1e-8) + wd * w);
            }
            return w;
        }).ToArray();
        AssertTrajectory(expected, Run(g => new AdamW(g), wd: 0.5f));
        Assert.Equal("adamw", new AdamW([new ParameterGroup([new Parameter(Tensor.Zeros([1]))], 0.1f)]).Kind);
    }

    [Fact]
    public void AdagradByHand()
    {
        var expected = W0.Select((w, i) =>
        {
            double acc = 0.1;
            for (int s = 0; s < 2; s++)
            {
                double g = w - Target[i];
                acc += g * g;
                w -= 0.1 * g / (Math.Sqrt(acc) + 1e-10);
            }
            return w;
        }).ToArray();
        AssertTrajectory(expected, Run(g => new Adagrad(g, initialAccumulator: 0.1f)));
    }

    [Fact]
    public void FtrlProximalByHand()
    {
        double alpha = 0.5, beta = 1, l1 = 0.1, l2 = 0.01;
        var expected = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double w = 0, z = 0, n = 0;
            for (int s = 0; s < 2; s++)
            {
                double g = w - Target[i];
                double sigma = (Math.Sqrt(n + g * g) - Math.Sqrt(n)) / alpha;
                z += g - sigma * w;
                n += g * g;
                w = Math.Abs(z) <= l1 ? 0 : -(z - Math.Sign(z) * l1) / ((beta + Math.Sqrt(n)) / alpha + l2);
            }
            expected[i] = w;
        }
        // First step by hand, coordinate 0: g = −0.5, z = −0.5, n = 0.25, w = 0.4 / ((1 + 0.5)/0.5 + 0.01) = 0.13289.
        Assert.Equal(0.4 / 3.01, Run(g => new Ftrl(g, 0.5f, 1f, 0.1f, 0.01f), steps: 1, w0: [0, 0])[0], 5);
        AssertTrajectory(expected, Run(g => new Ftrl(g, 0.5f, 1f, 0.1f, 0.01f), w0: [0, 0]));
    }

    [Fact]
    public void FtrlL1ZeroesSmallCoordinates()
    {
        // |z| = |g| = 0.05 ≤ λ1 = 0.1 keeps the weight at exactly zero.
        var p = new Parameter(Tensor.Zeros([1]));
        var opt = new Ftrl([new ParameterGroup([p], 0f)], alpha: 0.5f, l1: 0.1f);
        Ops.Mul(Ops.Sum(p.Value), 0.05f).Backward();
        opt.Step();
        Assert.Equal(0f, p.Value.Span[0]);
        Assert.Contains("weight decay", Assert.Throws<ArgumentException>(() => new Ftrl([new ParameterGroup([p], 0f, 0.1f)], alpha: 0.5f)).Message);
    }

    [Fact]
    public void AdamConvergesOnAQuadratic()
    {
        // L = Σ c_i (w_i − t_i)² with curvatures spanning 100×; optimum w = t.
        var c = Tensor.FromArray([0.1f, 1f, 10f, 3f], [4]);
        var t = Tensor.FromArray([1f, -2f, 0.5f, 3f], [4]);
        var p = new Parameter(Tensor.Zeros([4]));
        var opt = new Adam([new ParameterGroup([p], 0.05f)]) { Schedule = new CosineSchedule(2000, 0.01f) };
        for (int s = 0; s < 2000; s++)
        {
            opt.ZeroGrad();
            var d = Ops.Sub(p.Value, t);
            Ops.Sum(Ops.Mul(c, Ops.Mul(d, d))).Backward();
            opt.Step();
        }
        for (int i = 0; i < 4; i++) Assert.Equal(t.Span[i], p.Value.Span[i], 3);
    }

    [Fact]
    public void GroupsUseTheirOwnRates()
    {
        var a = new Parameter(Tensor.Full([1], 1f));
        var b = new Parameter(Tensor.Full([1], 1f), group: Parameter.NoDecayGroup);
        var groups = ParameterGroup.ByTag([a, b], 0.1f, 0.5f, new Dictionary<string, (float, float)> { [Parameter.NoDecayGroup] = (0.2f, 0f) });
        Assert.Equal(["decay", "no_decay"], groups.Select(g => g.Name));
        var opt = new Sgd(groups);
        Ops.Sum(Ops.Add(a.Value, b.Value)).Backward();  // g = 1 for both
        opt.Step();
        Assert.Equal(1f - 0.1f * (1f + 0.5f), a.Value.Span[0], 6);
        Assert.Equal(1f - 0.2f * 1f, b.Value.Span[0], 6);
        Assert.Throws<ArgumentException>(() => new Sgd([new ParameterGroup([a], 0.1f), new ParameterGroup([a], 0.2f)]));
    }

    [Fact]
    public void ClipByGlobalNormScalesEveryGradient()
    {
        var a = new Parameter(Tensor.FromArray([0f, 0f], [2]));
        var b = new Parameter(Tensor.Zeros([1]));
        Ops.Sum(Ops.Mul(a.Value, Tensor.FromArray([3f, 0f], [2]))).Backward();
        Ops.Mul(Ops.Sum(b.Value), 4f).Backward();
        float norm = GradientClipping.ClipByGlobalNorm([a, b], 1f);
        Assert.Equal(5f, norm, 5);   // √(3² + 0² + 4²)
        Assert.Equal(0.6f, a.Grad!.Span[0], 5);
        Assert.Equal(0.8f, b.Grad!.Span[0], 5);
        Assert.Equal(1f, GradientClipping.ClipByGlobalNorm([a, b], 10f), 4);
        Assert.Equal(0.6f, a.Grad!.Span[0], 5);
    }

    [Fact]
    public void SchedulesAtGivenSteps()
    {
        var step = new StepSchedule(10, 0.5f);
        Assert.Equal([1f, 1f, 0.5f, 0.25f], new[] { 0, 9, 10, 25 }.Select(step.Factor));
        var cos = new CosineSchedule(100, 0.1f);
        Assert.Equal(1f, cos.Factor(0), 6);
        Assert.Equal(0.55f, cos.Factor(50), 6);
        Assert.Equal(0.1f, cos.Factor(100), 6);
        Assert.Equal(0.1f, cos.Factor(500), 6);
        var warm = new WarmupSchedule(4, new CosineSchedule(10));
        Assert.Equal(0.25f, warm.Factor(0), 6);
        Assert.Equal(1f, warm.Factor(3), 6);
        Assert.Equal(1f, warm.Factor(4), 6);
        Assert.Equal(0.5f, warm.Factor(9), 6);
        Assert.Equal(0f, warm.Factor(14), 6);
        Assert.Equal(0.5f, new WarmupSchedule(2).Factor(0));
        Assert.Equal(1f, ConstantSchedule.Instance.Factor(1_000_000));
        var p = new Parameter(Tensor.Zeros([1]));
        var opt = new Sgd([new ParameterGroup([p], 0.2f)]) { Schedule = new WarmupSchedule(2, new StepSchedule(1, 0.5f)) };
        Assert.Equal(0.1f, opt.LearningRate(), 6);
        Ops.Sum(p.Value).Backward();
        opt.Step();                               // lr 0.1 at step 0
        Assert.Equal(-0.1f, p.Value.Span[0], 6);
        Assert.Equal(0.2f, opt.LearningRate(), 6);
    }
}
