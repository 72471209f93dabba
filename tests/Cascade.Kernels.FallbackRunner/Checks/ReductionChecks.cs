using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>Reductions vs ReductionsReference (double accumulation): rows, columns, bias-add and squared norm.</summary>
internal static class ReductionChecks
{
    private const int Rows = 5;

    public static IEnumerable<KernelCheck> All =>
    [
        new("reductions.sum-rows", SumRows),
        new("reductions.add-column-sums", AddColumnSums),
        new("reductions.add-bias-rows", AddBiasRows),
        new("reductions.squared-norm", SquaredNorm),
    ];

    // A float sum of n terms in (−1, 1) accumulated in 8 or 16 lanes has partial sums up to ~√(n/lanes) and
    // rounds n/lanes times per lane: measured drift at n = 65537 is ~5e-4 against the double sum. The bound
    // 1e-7 · n (6.6e-3 there, still 5e-6 of Σ|x|) holds it with margin on every tier.
    private static float SumTol(int n) => 1e-6f + 1e-7f * n;

    private static void SumRows()
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            var x = Check.Uniform(cols, Rows * cols, -1f, 1f);
            var expected = new float[Rows];
            ReductionsReference.SumRows(x, Rows, cols, expected);
            var s = new Guarded(new float[Rows]);
            Reductions.SumRows(x, Rows, cols, s.Span);
            s.AssertGuards($"sum-rows cols={cols}");
            Check.Close($"sum-rows cols={cols}", expected, s.Span, 1e-5f, SumTol(cols));
        }
    }

    private static void AddColumnSums()
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            var x = Check.Uniform(cols, Rows * cols, -1f, 1f);
            var s0 = Check.Uniform(cols + 1, cols, -1f, 1f);
            var expected = (float[])s0.Clone();
            ReductionsReference.AddColumnSums(x, Rows, cols, expected);
            var s = new Guarded(s0);
            Reductions.AddColumnSums(x, Rows, cols, s.Span);
            s.AssertGuards($"column-sums cols={cols}");
            Check.Close($"column-sums cols={cols}", expected, s.Span, 1e-5f, SumTol(Rows));
        }
    }

    private static void AddBiasRows()
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            var y0 = Check.Uniform(cols, Rows * cols, -1f, 1f);
            var bias = Check.Uniform(cols + 1, cols, -1f, 1f);
            var expected = (float[])y0.Clone();
            ReductionsReference.AddBiasRows(expected, bias, Rows, cols);
            var y = new Guarded(y0);
            Reductions.AddBiasRows(y.Span, bias, Rows, cols);
            y.AssertGuards($"bias-add cols={cols}");
            Check.Close($"bias-add cols={cols}", expected, y.Span, 0f, 0f);
        }
    }

    private static void SquaredNorm()
    {
        foreach (int n in KernelChecks.Lengths)
        {
            var x = Check.Uniform(n, n, -1f, 1f);
            Check.Close($"squared-norm n={n}", 0, ReductionsReference.SquaredNorm(x), Reductions.SquaredNorm(x), 1e-5f, SumTol(n));
        }
    }
}
