using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Cascade.Kernels;

/// <summary>
/// Row/column reductions and broadcasts over a (rows × cols) row-major matrix — the bias-add forward, its
/// gradient (column sums) and the squared norm behind gradient clipping. Vectorised through TensorPrimitives;
/// naive twin: <see cref="Reference.ReductionsReference"/>.
/// </summary>
public static class Reductions
{
    /// <summary>sums[r] = Σ_c x[r, c] (overwrites). x is (rows × cols), sums is (rows).</summary>
    /// <param name="x">Input (rows × cols).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="sums">Output (rows).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        Check(x.Length, rows, cols, sums.Length, rows);
        for (int r = 0; r < rows; r++) sums[r] = TensorPrimitives.Sum(x.Slice(r * cols, cols));
    }

    /// <summary>sums[c] += Σ_r x[r, c] (ACCUMULATES: the bias gradient db += Σ_batch dy). x is (rows × cols), sums is (cols).</summary>
    /// <param name="x">Input (rows × cols).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="sums">Accumulated output (cols).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        Check(x.Length, rows, cols, sums.Length, cols);
        var s = sums[..cols];
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(s, x.Slice(r * cols, cols), s);
    }

    /// <summary>y[r, :] += bias (the bias-add of a linear layer). y is (rows × cols), bias is (cols).</summary>
    /// <param name="y">Matrix updated in place (rows × cols).</param>
    /// <param name="bias">Row vector (cols).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBiasRows(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        Check(y.Length, rows, cols, bias.Length, cols);
        var b = bias[..cols];
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            TensorPrimitives.Add(yr, b, yr);
        }
    }

    /// <summary>Σ x² (for the global gradient norm: clip when √(Σ over parameters) exceeds a threshold).</summary>
    /// <param name="x">Values.</param>
    /// <returns>The sum of squares.</returns>
    public static float SquaredNorm(ReadOnlySpan<float> x) => TensorPrimitives.SumOfSquares(x);

    private static void Check(int matrixLen, int rows, int cols, int vectorLen, int vectorNeed)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Reductions: rows ({rows}) and cols ({cols}) must be non-negative.");
        long need = (long)rows * cols;
        if (matrixLen < need) throw new ArgumentException($"Reductions: a {rows}×{cols} matrix needs {need} elements but the span holds {matrixLen}.");
        if (vectorLen < vectorNeed) throw new ArgumentException($"Reductions: the vector needs {vectorNeed} elements but holds {vectorLen}.");
    }
}
