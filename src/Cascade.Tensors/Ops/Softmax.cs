using SoftmaxKernel = Cascade.Kernels.Softmax;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Softmax over the last axis: y[…, j] = exp(x[…, j]) / Σₖ exp(x[…, k]), summing only over positions the mask
    /// keeps. x: (…, N); mask: null or any shape that broadcasts to x (e.g. (B, 1, N) for x (B, H, N)), nonzero = keep.
    /// Masked positions get 0; a row with every position masked is all zeros (not NaN).
    /// Backward: dx += y ⊙ (dy − Σ dy ⊙ y).
    /// </summary>
    /// <example><c>var attn = Ops.Softmax(scores, keyMask);  // scores (B, H, Lq, Lk), keyMask (B, 1, 1, Lk)</c></example>
    public static Tensor Softmax(Tensor x, MaskTensor? mask = null)
    {
        var y = Tensor.Empty(x.ShapeRef);
        var (rows, cols) = AxisLoops.Rows(x.ShapeRef);
        RunMaskedRows(x, y, mask, rows, cols, log: false);
        if (Autograd.ShouldRecord(x))
            y.Record("softmax", [x], g => SoftmaxKernel.Backward(y.Span, g.Span, x.GradSpanForAccumulate(), rows, cols));
        return y;
    }

    /// <summary>
    /// Log-softmax over the last axis: y = x − log Σₖ exp(xₖ) over kept positions; masked positions get −∞ and no
    /// gradient. Shapes and mask as in <see cref="Softmax"/>. Backward: dx += dy − softmax(x) · Σ dy.
    /// </summary>
    public static Tensor LogSoftmax(Tensor x, MaskTensor? mask = null)
    {
        var y = Tensor.Empty(x.ShapeRef);
        var (rows, cols) = AxisLoops.Rows(x.ShapeRef);
        RunMaskedRows(x, y, mask, rows, cols, log: true);
        if (Autograd.ShouldRecord(x))
            y.Record("log_softmax", [x], g => SoftmaxKernel.LogBackward(y.Span, g.Span, x.GradSpanForAccumulate(), rows, cols));
        return y;
    }

    private static void RunMaskedRows(Tensor x, Tensor y, MaskTensor? mask, int rows, int cols, bool log)
    {
        if (x.Rank == 0) throw new ArgumentException("Softmax needs at least one axis; got a scalar.", nameof(x));
        if (mask is null || mask.Shape.SequenceEqual(x.Shape))
        {
            ReadOnlySpan<byte> m = mask is null ? default : mask.Data;
            if (log) SoftmaxKernel.LogForward(x.Span, y.Span, rows, cols, m);
            else SoftmaxKernel.Forward(x.Span, y.Span, rows, cols, m);
            return;
        }
        var shape = ShapeUtil.BroadcastShapes(x.Shape, mask.Shape);
        if (!shape.AsSpan().SequenceEqual(x.Shape))
            throw new ArgumentException($"Softmax mask of shape {ShapeUtil.Format(mask.Shape)} does not broadcast to the input shape {ShapeUtil.Format(x.Shape)}.", nameof(mask));
        var ms = Broadcasting.AlignedStrides(mask.Shape, shape);
        bool rowMask = ms[^1] == 1;
        Span<int> idx = stackalloc int[shape.Length];
        Span<int> none = stackalloc int[shape.Length];
        int mo = 0, unused = 0;
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        byte[] md = mask.Data;
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * cols, cols);
            var yr = ys.Slice(r * cols, cols);
            // A last-axis mask row is passed to the kernel; a broadcast scalar keeps or drops the whole row.
            ReadOnlySpan<byte> mr = rowMask ? md.AsSpan(mo, cols) : default;
            if (!rowMask && md[mo] == 0) yr.Fill(log ? float.NegativeInfinity : 0f);
            else if (log) SoftmaxKernel.LogForward(xr, yr, 1, cols, mr);
            else SoftmaxKernel.Forward(xr, yr, 1, cols, mr);
            AxisLoops.NextRow(shape, idx, ms, ref mo, none, ref unused);
        }
    }
}
