using System.Numerics.Tensors;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Batch normalisation over every axis but the last: x (B, C) or (B, L, C) (N = B or B·L rows per channel),
    /// gain γ (C) or null, bias β (C) or null, caller-owned running statistics runningMean (C) and runningVar (C)
    /// (plain tensors, never differentiated) → y of x's shape.
    /// Training: μ, σ² (biased) from the batch, y = γ ⊙ (x − μ)/√(σ² + ε) + β, gradients flow through the batch
    /// statistics (dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) per channel), and the running buffers are updated in
    /// place: m ← (1 − momentum)·m + momentum·μ, v ← (1 − momentum)·v + momentum·σ²·N/(N − 1) (unbiased, as PyTorch).
    /// Evaluation: μ, σ² are the running buffers (constants), so dx = γ · r · dy.
    /// </summary>
    /// <exception cref="ArgumentException">Shape mismatch, or training with N &lt; 2 rows (variance undefined).</exception>
    public static Tensor BatchNorm(Tensor x, Tensor? gain, Tensor? bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Rank is not (2 or 3)) throw new ArgumentException($"BatchNorm needs x (B, C) or (B, L, C), got {ShapeUtil.Format(x.Shape)}.");
        int c = x.Dim(-1), n = c == 0 ? 0 : x.Size / c;
        FusedOpSupport.CheckVector(gain, c, "BatchNorm gain");
        FusedOpSupport.CheckVector(bias, c, "BatchNorm bias");
        FusedOpSupport.CheckVector(runningMean, c, "BatchNorm running mean");
        FusedOpSupport.CheckVector(runningVar, c, "BatchNorm running variance");
        if (training && n < 2) throw new ArgumentException($"BatchNorm in training needs more than one value per channel, got x {ShapeUtil.Format(x.Shape)}.");
        // Statistics and x̂ from the active arena when there is one (mean is accumulated into, so zeroed): inference
        // under an arena allocates nothing here.
        var mean = Tensor.Zeros([c]);
        var rstd = Tensor.Empty([c]);
        BatchNormStatistics(x.Span, n, c, training, runningMean, runningVar, momentum, eps, mean.Span, rstd.Span);
        ReadOnlySpan<float> xs = x.Span;
        var y = Tensor.Empty(x.ShapeRef);
        var xHat = Tensor.Empty(x.ShapeRef);
        // One fused pass per row (Kernels.BatchNormKernels), bit-identical to the per-call TensorPrimitives form.
        Kernels.BatchNormKernels.Forward(xs, mean.Span, rstd.Span, gain is null ? default : gain.Span, bias is null ? default : bias.Span, n, c, xHat.Span, y.Span);
        bool record = Autograd.ShouldRecord(x) || (gain is not null && Autograd.ShouldRecord(gain)) || (bias is not null && Autograd.ShouldRecord(bias));
        if (record) RecordBatchNorm(x, gain, bias, y, xHat, rstd, n, c, training);
        return y;
    }

    // Closures and the input array only when recording (C# allocates captured state on entry to the declaring method).
    private static void RecordBatchNorm(Tensor x, Tensor? gain, Tensor? bias, Tensor y, Tensor xHat, Tensor rstd, int n, int c, bool training)
    {
        Tensor[] inputs = gain is null ? (bias is null ? [x] : [x, bias]) : (bias is null ? [x, gain] : [x, gain, bias]);
        y.Record(training ? "batch_norm_train" : "batch_norm_eval", inputs, g =>
            BatchNormBackward(g.Span, xHat.Span, rstd.Span, x, gain, bias, n, c, training));
    }

    /// <summary>
    /// Fills mean (C) and rstd = 1/√(σ² + ε) (C): from the batch in training (and updates the running buffers),
    /// from the running buffers in evaluation.
    /// </summary>
    private static void BatchNormStatistics(ReadOnlySpan<float> xs, int n, int c, bool training, Tensor runningMean, Tensor runningVar,
        float momentum, float eps, Span<float> mean, Span<float> rstd)
    {
        if (training)
        {
            for (int r = 0; r < n; r++) TensorPrimitives.Add(mean, xs.Slice(r * c, c), mean);
            TensorPrimitives.Multiply(mean, 1f / n, mean);
            var sq = new float[c];
            var diff = c <= 1024 ? stackalloc float[c] : new float[c];
            for (int r = 0; r < n; r++)
            {
                TensorPrimitives.Subtract(xs.Slice(r * c, c), mean, diff);
                TensorPrimitives.MultiplyAdd(diff, diff, sq, sq);
            }
            Span<float> rm = runningMean.Span, rv = runningVar.Span;
            for (int j = 0; j < c; j++)
            {
                float variance = sq[j] / n;
                rstd[j] = 1f / MathF.Sqrt(variance + eps);
                rm[j] = (1f - momentum) * rm[j] + momentum * mean[j];
                rv[j] = (1f - momentum) * rv[j] + momentum * sq[j] / (n - 1);
            }
        }
        else
        {
            runningMean.Span.CopyTo(mean);
            ReadOnlySpan<float> rv = runningVar.Span;
            for (int j = 0; j < c; j++) rstd[j] = 1f / MathF.Sqrt(rv[j] + eps);
        }
    }

    private static void BatchNormBackward(ReadOnlySpan<float> gs, ReadOnlySpan<float> h, ReadOnlySpan<float> rstd,
        Tensor x, Tensor? gain, Tensor? bias, int n, int c, bool training)
    {
        // Per-channel sums Σ dy and Σ dy ⊙ x̂ serve dβ, dγ and the batch-statistics terms of dx.
        var sumG = new float[c];
        var sumGh = new float[c];
        for (int r = 0; r < n; r++)
        {
            var gr = gs.Slice(r * c, c);
            TensorPrimitives.Add(sumG, gr, sumG);
            TensorPrimitives.MultiplyAdd(gr, h.Slice(r * c, c), sumGh, sumGh);
        }
        if (gain is not null && gain.RequiresGrad) TensorPrimitives.Add(gain.GradSpanForAccumulate(), sumGh, gain.GradSpanForAccumulate());
        if (bias is not null && bias.RequiresGrad) TensorPrimitives.Add(bias.GradSpanForAccumulate(), sumG, bias.GradSpanForAccumulate());
        if (!x.RequiresGrad) return;
        var gx = x.GradSpanForAccumulate();
        // scale = γ · r; with ĝ = γ ⊙ dy: dx = scale ⊙ (dy − [Σ dy]/N − x̂ ⊙ [Σ dy ⊙ x̂]/N) in training.
        var scale = new float[c];
        if (gain is not null) TensorPrimitives.Multiply(gain.Span, rstd, scale); else rstd.CopyTo(scale);
        if (training)
        {
            TensorPrimitives.Multiply(sumG, 1f / n, sumG);
            TensorPrimitives.Multiply(sumGh, -1f / n, sumGh);
        }
        if (training) Kernels.BatchNormKernels.BackwardTraining(gs, h, sumG, sumGh, scale, n, c, gx);
        else for (int r = 0; r < n; r++) TensorPrimitives.MultiplyAdd(gs.Slice(r * c, c), scale, gx.Slice(r * c, c), gx.Slice(r * c, c));
    }
}
