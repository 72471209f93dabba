namespace Cascade.Kernels.Reference;

/// <summary>Naive scalar twin of <see cref="Reductions"/> (double accumulation).</summary>
public static class ReductionsReference
{
    /// <summary>sums[r] = Σ_c x[r, c].</summary>
    public static void SumRows(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[r * cols + c];
            sums[r] = (float)s;
        }
    }

    /// <summary>sums[c] += Σ_r x[r, c].</summary>
    public static void AddColumnSums(ReadOnlySpan<float> x, int rows, int cols, Span<float> sums)
    {
        for (int c = 0; c < cols; c++)
        {
            double s = sums[c];
            for (int r = 0; r < rows; r++) s += x[r * cols + c];
            sums[c] = (float)s;
        }
    }

    /// <summary>y[r, :] += bias.</summary>
    public static void AddBiasRows(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) y[r * cols + c] += bias[c];
    }

    /// <summary>Σ x².</summary>
    public static float SquaredNorm(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return (float)s;
    }
}
