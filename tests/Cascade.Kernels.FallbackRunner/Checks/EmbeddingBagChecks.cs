using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// EmbeddingBag vs EmbeddingBagReference at every embedding width: a 7-row table, bags with repeats, padding ids,
/// an empty bag and an all-padding bag, in all three modes, forward and backward.
/// </summary>
internal static class EmbeddingBagChecks
{
    private const int Vocab = 7, Padding = 5;
    private static readonly int[] Ids = [0, 3, 3, 6, Padding, 2, Padding, Padding, 1, 4, 6, 0];
    private static readonly int[] Offsets = [0, 4, 6, 6, 8, 12]; // bag 2 empty, bag 3 all padding

    public static IEnumerable<KernelCheck> All =>
    [
        new("embedding.gather", Gather),
        new("embedding.scatter-add", ScatterAdd),
        new("embedding.bag.sum", () => Bag(BagMode.Sum)),
        new("embedding.bag.mean", () => Bag(BagMode.Mean)),
        new("embedding.bag.max", () => Bag(BagMode.Max)),
    ];

    private static void Gather()
    {
        foreach (int dim in KernelChecks.Lengths)
        {
            var table = Check.Uniform(dim, Vocab * dim, -1f, 1f);
            var expected = new float[Ids.Length * dim];
            EmbeddingBagReference.Gather(table, dim, Ids, Padding, expected);
            var y = new Guarded(Check.Uniform(1, Ids.Length * dim, -1f, 1f));
            EmbeddingBag.Gather(table, dim, Ids, Padding, y.Span);
            y.AssertGuards($"gather dim={dim}");
            Check.Close($"gather dim={dim}", expected, y.Span, 0f, 0f);
        }
    }

    private static void ScatterAdd()
    {
        foreach (int dim in KernelChecks.Lengths)
        {
            var grad = Check.Uniform(dim, Ids.Length * dim, -1f, 1f);
            var g0 = Check.Uniform(dim + 1, Vocab * dim, -1f, 1f);
            var expected = (float[])g0.Clone();
            EmbeddingBagReference.ScatterAdd(grad, dim, Ids, Padding, expected);
            var g = new Guarded(g0);
            EmbeddingBag.ScatterAdd(grad, dim, Ids, Padding, g.Span);
            g.AssertGuards($"scatter-add dim={dim}");
            Check.Close($"scatter-add dim={dim}", expected, g.Span, 1e-6f, 1e-6f);
        }
    }

    private static void Bag(BagMode mode)
    {
        int bags = Offsets.Length - 1;
        foreach (int dim in KernelChecks.Lengths)
        {
            string what = $"bag {mode} dim={dim}";
            var table = Check.Uniform(dim + 2, Vocab * dim, -1f, 1f);
            var expected = new float[bags * dim];
            var expectedArg = new int[mode == BagMode.Max ? bags * dim : 0];
            EmbeddingBagReference.Forward(table, dim, Ids, Offsets, mode, Padding, expected, expectedArg);
            var y = new Guarded(Check.Uniform(3, bags * dim, -1f, 1f));
            var arg = new int[expectedArg.Length];
            arg.AsSpan().Fill(12345);
            EmbeddingBag.Forward(table, dim, Ids, Offsets, mode, Padding, y.Span, arg);
            y.AssertGuards(what);
            Check.Close(what, expected, y.Span, 1e-6f, 1e-6f);
            Check.Equal(what + " argmax", expectedArg, arg);

            var gradOut = Check.Uniform(dim + 4, bags * dim, -1f, 1f);
            var g0 = Check.Uniform(dim + 5, Vocab * dim, -1f, 1f);
            var expectedGrad = (float[])g0.Clone();
            EmbeddingBagReference.Backward(gradOut, dim, Ids, Offsets, mode, Padding, expectedArg, expectedGrad);
            var g = new Guarded(g0);
            EmbeddingBag.Backward(gradOut, dim, Ids, Offsets, mode, Padding, arg, g.Span);
            g.AssertGuards(what + " backward");
            Check.Close(what + " backward", expectedGrad, g.Span, 1e-6f, 1e-6f);
        }
    }
}
