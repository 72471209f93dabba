using System.CommandLine;
using System.Diagnostics;
using Cascade.Tensors;

namespace Cascade.Cli;

/// <summary>
/// `cascade demo`: trains a logistic regression with the autograd engine on a seeded synthetic task and prints
/// the loss curve and accuracy; the smallest end-to-end proof that tensors, kernels and gradients work together.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var samples = new Option<int>("--samples") { Description = "Number of synthetic samples.", DefaultValueFactory = _ => 4096 };
        var steps = new Option<int>("--steps") { Description = "Full-batch gradient steps.", DefaultValueFactory = _ => 200 };
        var cmd = new Command("demo", "Train a logistic regression with the autograd engine on a synthetic task.") { samples, steps };
        cmd.SetAction(parse => Run(parse.GetValue(samples), parse.GetValue(steps)));
        return cmd;
    }

    private static int Run(int n, int steps)
    {
        const int dim = 16;
        var x = Tensor.Randn([n, dim], seed: 1);
        var trueW = Tensor.Randn([dim, 1], seed: 2);
        float[] labels = new float[n];
        var logits = Ops.MatMul(x, trueW).Span;
        for (int i = 0; i < n; i++) labels[i] = logits[i] > 0 ? 1f : 0f;
        var y = Tensor.FromArray(labels, [n, 1]);
        var w = Tensor.Zeros([dim, 1], requiresGrad: true);
        var arena = new TensorArena();
        var sw = Stopwatch.StartNew();
        float lr = 0.5f, loss = 0;
        for (int s = 0; s < steps; s++)
        {
            using (arena.Activate())
            {
                // Squared error on the sigmoid output keeps the demo to ops every build has.
                var p = Ops.Sigmoid(Ops.MatMul(x, w));
                var diff = Ops.Add(p, Ops.Mul(y, Tensor.Scalar(-1f)));
                var l = Ops.Mean(Ops.Mul(diff, diff));
                w.ZeroGrad();
                l.Backward();
                loss = l.Item();
                var ws = w.Span; var gs = w.Grad!.Span;
                for (int i = 0; i < dim; i++) ws[i] -= lr * 10 * gs[i];
            }
            if (s % 50 == 0 || s == steps - 1) Console.WriteLine($"step {s,4}  mse {loss:F5}");
        }
        int correct = 0;
        var pred = Ops.MatMul(x, w).Span;
        for (int i = 0; i < n; i++) if ((pred[i] > 0) == (labels[i] > 0.5f)) correct++;
        Console.WriteLine($"accuracy {(double)correct / n:P2} on {n} samples in {sw.ElapsedMilliseconds} ms");
        return 0;
    }
}
