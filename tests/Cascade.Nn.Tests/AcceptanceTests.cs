using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public class AcceptanceTests
{
    /// <summary>Concentric circles: inner disc r &lt; 1 is class 0, ring 1.5 &lt; r &lt; 2.5 is class 1; not linearly separable.</summary>
    private static (Tensor X, Tensor Y) Circles(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            bool outer = i % 2 == 1;
            double r = outer ? 1.5 + rng.NextDouble() : rng.NextDouble();
            double a = 2 * Math.PI * rng.NextDouble();
            x[2 * i] = (float)(r * Math.Cos(a));
            x[2 * i + 1] = (float)(r * Math.Sin(a));
            y[i] = outer ? 1f : 0f;
        }
        return (Tensor.FromArray(x, [n, 2]), Tensor.FromArray(y, [n, 1]));
    }

    [Fact]
    public void TwoLayerMlpSolvesConcentricCircles()
    {
        var (x, y) = Circles(512, 1);
        var mlp = new Mlp(new MlpOptions(2, [16, 1], Activation.Relu, ActivateLast: false, Seed: 7, Init: InitScheme.KaimingUniform));
        var opt = new Adam(ParameterGroup.ByTag(mlp.Parameters(), 0.03f, 0f));
        var arena = new TensorArena();
        for (int step = 0; step < 300; step++)
        {
            using (arena.Activate())
            {
                opt.ZeroGrad();
                Ops.BinaryCrossEntropyWithLogits(mlp.Forward(x), y).Backward();
                opt.Step();
            }
        }
        mlp.Eval();
        var (tx, ty) = Circles(1000, 2);
        using (Autograd.NoGrad())
        {
            var logits = mlp.Forward(tx).Span;
            int correct = 0;
            for (int i = 0; i < 1000; i++) if ((logits[i] > 0) == (ty.Span[i] > 0.5f)) correct++;
            Assert.True(correct > 950, $"accuracy {correct / 1000.0:P1} ≤ 95 %");
        }
    }

    [Fact]
    public void LogisticRegressionReachesTheNewtonOptimum()
    {
        // Objective: mean BCE + (λ/2)·‖(w, b)‖², λ = 0.1; strongly convex (Hessian ⪰ λI), well conditioned.
        const int n = 200, d = 3;
        const double lambda = 0.1;
        var rng = new Rng(11);
        var xs = new float[n * d];
        var ys = new float[n];
        for (int i = 0; i < n; i++)
        {
            double z = 0.3;
            for (int j = 0; j < d; j++)
            {
                xs[i * d + j] = rng.NextGaussian();
                z += (j + 1) * 0.7 * (j % 2 == 0 ? 1 : -1) * xs[i * d + j];
            }
            ys[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
        }
        var newton = NewtonIrls(xs, ys, n, d, lambda);

        var lin = new Linear(d, 1, seed: 3);
        var opt = new Sgd([new ParameterGroup(lin.Parameters(), 1.0f, (float)lambda)], momentum: 0.5f);
        var x = Tensor.FromArray(xs, [n, d]);
        var y = Tensor.FromArray(ys, [n, 1]);
        for (int step = 0; step < 400; step++)
        {
            opt.ZeroGrad();
            Ops.BinaryCrossEntropyWithLogits(lin.Forward(x), y).Backward();
            opt.Step();
        }
        for (int j = 0; j < d; j++) Assert.True(Math.Abs(newton[j] - lin.Weight.Value.Span[j]) < 1e-3, $"w{j}: engine {lin.Weight.Value.Span[j]}, Newton {newton[j]}");
        Assert.True(Math.Abs(newton[d] - lin.Bias!.Value.Span[0]) < 1e-3, $"bias: engine {lin.Bias.Value.Span[0]}, Newton {newton[d]}");
    }

    /// <summary>Newton–IRLS in double: θ ← θ − H⁻¹∇, ∇ = Xᵀ(p − y)/n + λθ, H = Xᵀ diag(p(1 − p)) X / n + λI, X with a ones column.</summary>
    private static double[] NewtonIrls(float[] xs, float[] ys, int n, int d, double lambda)
    {
        int k = d + 1;
        var theta = new double[k];
        for (int iter = 0; iter < 50; iter++)
        {
            var grad = new double[k];
            var h = new double[k, k];
            var row = new double[k];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++) row[j] = xs[i * d + j];
                row[d] = 1;
                double z = 0;
                for (int j = 0; j < k; j++) z += theta[j] * row[j];
                double p = 1 / (1 + Math.Exp(-z));
                for (int a = 0; a < k; a++)
                {
                    grad[a] += (p - ys[i]) * row[a] / n;
                    for (int b = 0; b < k; b++) h[a, b] += p * (1 - p) * row[a] * row[b] / n;
                }
            }
            for (int a = 0; a < k; a++) { grad[a] += lambda * theta[a]; h[a, a] += lambda; }
            var step = Solve(h, grad);
            double size = 0;
            for (int a = 0; a < k; a++) { theta[a] -= step[a]; size = Math.Max(size, Math.Abs(step[a])); }
            if (size < 1e-12) break;
        }
        return theta;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int k = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < k; c++)
        {
            int piv = c;
            for (int r = c + 1; r < k; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[piv, c])) piv = r;
            for (int j = 0; j < k; j++) (m[c, j], m[piv, j]) = (m[piv, j], m[c, j]);
            (x[c], x[piv]) = (x[piv], x[c]);
            for (int r = c + 1; r < k; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int j = c; j < k; j++) m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = k - 1; r >= 0; r--)
        {
            for (int j = r + 1; j < k; j++) x[r] -= m[r, j] * x[j];
            x[r] /= m[r, r];
        }
        return x;
    }
}
