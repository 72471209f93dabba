namespace Cascade.Kernels.Reference;

/// <summary>
/// Row-wise softmax over a (rows × cols) row-major matrix, with an optional mask (same layout, nonzero = keep).
/// Masked positions get probability 0; a row with every position masked gets all zeros (not NaN).
/// Backward ACCUMULATES into dx.
/// Naive scalar twin of <see cref="Cascade.Kernels.Softmax"/>: the test oracle and benchmark baseline.
/// </summary>
public static class SoftmaxReference
{
    /// <summary>y[r, :] = softmax(x[r, :]) over unmasked positions. <paramref name="mask"/> may be empty (no mask).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols, ReadOnlySpan<byte> mask)
    {
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float max = float.NegativeInfinity;
            for (int c = 0; c < cols; c++) if (mask.IsEmpty || mask[o + c] != 0) max = MathF.Max(max, x[o + c]);
            if (float.IsNegativeInfinity(max)) { y.Slice(o, cols).Clear(); continue; }
            float sum = 0f;
            for (int c = 0; c < cols; c++)
            {
                float e = mask.IsEmpty || mask[o + c] != 0 ? MathF.Exp(x[o + c] - max) : 0f;
                y[o + c] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int c = 0; c < cols; c++) y[o + c] *= inv;
        }
    }

    /// <summary>dx[r, :] += y ⊙ (dy − Σ dy ⊙ y) (y is the forward output; masked positions have y = 0).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float dot = 0f;
            for (int c = 0; c < cols; c++) dot += dy[o + c] * y[o + c];
            for (int c = 0; c < cols; c++) dx[o + c] += y[o + c] * (dy[o + c] - dot);
        }
    }

    /// <summary>y[r, :] = x − logsumexp(x) over unmasked positions; masked positions get −∞.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols, ReadOnlySpan<byte> mask)
    {
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float max = float.NegativeInfinity;
            for (int c = 0; c < cols; c++) if (mask.IsEmpty || mask[o + c] != 0) max = MathF.Max(max, x[o + c]);
            float sum = 0f;
            for (int c = 0; c < cols; c++) if (mask.IsEmpty || mask[o + c] != 0) sum += MathF.Exp(x[o + c] - max);
            float lse = max + MathF.Log(sum);
            for (int c = 0; c < cols; c++) y[o + c] = mask.IsEmpty || mask[o + c] != 0 ? x[o + c] - lse : float.NegativeInfinity;
        }
    }

    /// <summary>dx[r, :] += dy − softmax ⊙ Σ dy, where softmax = exp(y) (y is the log-softmax output; masked dy ignored).</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float sum = 0f;
            for (int c = 0; c < cols; c++) if (!float.IsNegativeInfinity(y[o + c])) sum += dy[o + c];
            for (int c = 0; c < cols; c++)
                if (!float.IsNegativeInfinity(y[o + c])) dx[o + c] += dy[o + c] - MathF.Exp(y[o + c]) * sum;
        }
    }
}
