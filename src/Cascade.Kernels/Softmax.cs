using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels;

/// <summary>
/// Row-wise softmax over a (rows × cols) row-major matrix, with an optional mask (same layout, nonzero = keep).
/// Masked positions get probability 0; a row with every position masked gets all zeros (not NaN).
/// Backward ACCUMULATES into dx. Vectorised per row: max (TensorPrimitives), one fused exp-and-sum pass, one scale
/// pass (the last two through <see cref="ElementwiseDriver"/>); a mask is applied first by writing −∞ (whose exp
/// is exactly 0) into the output row. Naive twins: <see cref="Reference.SoftmaxReference"/>.
/// </summary>
public static class Softmax
{
    /// <summary>y[r, :] = softmax(x[r, :]) over unmasked positions. <paramref name="mask"/> may be empty (no mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols, ReadOnlySpan<byte> mask)
    {
        Check(x.Length, y.Length, mask, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            var yr = y.Slice(o, cols);
            ReadOnlySpan<float> src = mask.IsEmpty ? x.Slice(o, cols) : MaskInto(x.Slice(o, cols), mask.Slice(o, cols), yr);
            if (cols == 0) continue;
            float max = TensorPrimitives.Max(src);
            if (float.IsNegativeInfinity(max)) { yr.Clear(); continue; }
            float sum = ElementwiseDriver.MapSum(new ExpShiftOp(max), src, yr);
            ElementwiseDriver.Map(new ScaleOp(1f / sum), yr, yr);
        }
    }

    /// <summary>dx[r, :] += y ⊙ (dy − Σ dy ⊙ y) (y is the forward output; masked positions have y = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        Check(y.Length, dy.Length, default, rows, cols);
        Check(y.Length, dx.Length, default, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            var yr = y.Slice(o, cols); var dyr = dy.Slice(o, cols); var dxr = dx.Slice(o, cols);
            float dot = TensorPrimitives.Dot(dyr, yr);
            ElementwiseDriver.Map(new SoftmaxBackwardOp(dot), yr, dyr, dxr, dxr);
        }
    }

    /// <summary>y[r, :] = x − logsumexp(x) over unmasked positions; masked positions get −∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols, ReadOnlySpan<byte> mask)
    {
        Check(x.Length, y.Length, mask, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            var yr = y.Slice(o, cols);
            ReadOnlySpan<float> src = mask.IsEmpty ? x.Slice(o, cols) : MaskInto(x.Slice(o, cols), mask.Slice(o, cols), yr);
            if (cols == 0) continue;
            float max = TensorPrimitives.Max(src);
            if (float.IsNegativeInfinity(max)) { yr.Fill(float.NegativeInfinity); continue; }
            // Σ exp(x − max) without storing: the output row is rewritten by the subtraction below.
            float sum = ElementwiseDriver.Sum(new ExpShiftSumOp(max), src, src);
            float lse = max + MathF.Log(sum);
            ElementwiseDriver.Map(new ShiftOp(lse), src, yr);
        }
    }

    /// <summary>dx[r, :] += dy − softmax ⊙ Σ dy, where softmax = exp(y) (y is the log-softmax output; masked dy ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        Check(y.Length, dy.Length, default, rows, cols);
        Check(y.Length, dx.Length, default, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            var yr = y.Slice(o, cols); var dyr = dy.Slice(o, cols); var dxr = dx.Slice(o, cols);
            float sum = ElementwiseDriver.Sum(new UnmaskedOp(), yr, dyr);
            ElementwiseDriver.Map(new LogSoftmaxBackwardOp(sum), yr, dyr, dxr, dxr);
        }
    }

    /// <summary>dst = mask ? x : −∞ (so max ignores masked positions and their exp is 0); returns dst.</summary>
    private static ReadOnlySpan<float> MaskInto(ReadOnlySpan<float> x, ReadOnlySpan<byte> mask, Span<float> dst)
    {
        for (int c = 0; c < x.Length; c++) dst[c] = mask[c] != 0 ? x[c] : float.NegativeInfinity;
        return dst;
    }

    private static void Check(int xLen, int yLen, ReadOnlySpan<byte> mask, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Softmax: rows ({rows}) and cols ({cols}) must be non-negative.");
        long need = (long)rows * cols;
        if (xLen < need || yLen < need)
            throw new ArgumentException($"Softmax: {rows}×{cols} needs {need} elements but the spans hold {xLen} and {yLen}.");
        if (!mask.IsEmpty && mask.Length < need)
            throw new ArgumentException($"Softmax: the mask holds {mask.Length} entries but {rows}×{cols} needs {need}.", nameof(mask));
    }
}
