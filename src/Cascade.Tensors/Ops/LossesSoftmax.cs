using System.Numerics.Tensors;
using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Softmax cross-entropy over classes: ℓ_b = logsumexp(x_b) − x_b[t_b] (computed from the stable log-softmax).
    /// logits (B, C), targets (B) ids in [0, C), weights (B) or null → scalar.
    /// Backward: dx_b = w_b · (softmax(x_b) − onehot(t_b)) · scale.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a target outside [0, C) (named with its row).</exception>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, IntTensor targets, Tensor? weights = null, LossReduction reduction = LossReduction.Mean)
    {
        if (logits.Rank != 2) throw new ArgumentException($"SoftmaxCrossEntropy needs logits (B, C), got {ShapeUtil.Format(logits.Shape)}.");
        int rows = logits.Dim(0), classes = logits.Dim(1);
        if (targets.Rank != 1 || targets.Size != rows)
            throw new ArgumentException($"SoftmaxCrossEntropy targets must be ({rows}), got {ShapeUtil.Format(targets.Shape)}.");
        for (int b = 0; b < rows; b++)
            if ((uint)targets.Data[b] >= (uint)classes)
                throw new ArgumentException($"SoftmaxCrossEntropy: target {targets.Data[b]} at row {b} is outside [0, {classes}).");
        return ClassCrossEntropy(logits, targets.Data, weights, reduction, "softmax_cross_entropy");
    }

    /// <summary>
    /// Sampled softmax over one positive and S sampled negatives per row, the positive at column 0:
    /// ℓ_b = −log softmax(x_b / τ − logQ_b)[0]. logits (B, 1 + S), logQ (B, 1 + S) or null: the log sampling
    /// probability of each listed item (the log-Q correction of Yi et al. 2019, subtracted after the temperature from
    /// every column, positive included), temperature τ &gt; 0, weights (B) or null → scalar. Backward reaches only the logits.
    /// </summary>
    public static Tensor SampledSoftmax(Tensor logits, Tensor? logQ = null, float temperature = 1f, Tensor? weights = null,
        LossReduction reduction = LossReduction.Mean)
    {
        if (logits.Rank != 2 || logits.Dim(1) < 1)
            throw new ArgumentException($"SampledSoftmax needs logits (B, 1 + S), got {ShapeUtil.Format(logits.Shape)}.");
        FusedOpSupport.CheckSameShape(logits, logQ, "SampledSoftmax", "logits", "logQ");
        if (!(temperature > 0f)) throw new ArgumentException($"SampledSoftmax temperature must be > 0, got {temperature}.");
        return ClassCrossEntropy(ScaleShift(logits, logQ, temperature), new int[logits.Dim(0)], weights, reduction, "sampled_softmax");
    }

    /// <summary>
    /// Sampled softmax on embeddings: logits[b, j] = ⟨user_b, item_{b,j}⟩, then
    /// <see cref="SampledSoftmax(Tensor, Tensor?, float, Tensor?, LossReduction)"/>. userVec (B, D), itemVecs (B, 1 + S, D)
    /// with the positive item at j = 0. Gradients reach both towers.
    /// </summary>
    public static Tensor SampledSoftmax(Tensor userVec, Tensor itemVecs, Tensor? logQ, float temperature = 1f, Tensor? weights = null,
        LossReduction reduction = LossReduction.Mean)
        => SampledSoftmax(RowDots(userVec, itemVecs), logQ, temperature, weights, reduction);

    /// <summary>
    /// In-batch sampled softmax (Yi et al. 2019): every other item of the batch is a negative for a user.
    /// logits[b, j] = ⟨user_b, item_j⟩ / τ − logQ_j, and ℓ_b = −log softmax(logits_b)[b] (the positive on the diagonal).
    /// userVec (B, D), itemVecs (B, D), logQ (B) or null: log sampling probability of each batch item (its streaming
    /// frequency estimate), temperature τ &gt; 0, weights (B) or null → scalar. Duplicated items in a batch are not
    /// masked (they count as negatives, as in the paper). Gradients reach both towers.
    /// </summary>
    public static Tensor InBatchSampledSoftmax(Tensor userVec, Tensor itemVecs, Tensor? logQ = null, float temperature = 1f,
        Tensor? weights = null, LossReduction reduction = LossReduction.Mean)
    {
        if (userVec.Rank != 2 || !userVec.SameShape(itemVecs))
            throw new ArgumentException($"InBatchSampledSoftmax needs userVec and itemVecs (B, D) of one shape; got {ShapeUtil.Format(userVec.Shape)} and {ShapeUtil.Format(itemVecs.Shape)}.");
        int rows = userVec.Dim(0);
        FusedOpSupport.CheckVector(logQ, rows, "InBatchSampledSoftmax logQ");
        if (!(temperature > 0f)) throw new ArgumentException($"InBatchSampledSoftmax temperature must be > 0, got {temperature}.");
        var logits = BatchMatMul(userVec, itemVecs, transposeB: true);   // (B, B)
        Tensor? correction = null;
        if (logQ is not null)
        {
            correction = Tensor.Empty([rows, rows]);   // row b = logQ: item j's correction in column j
            for (int b = 0; b < rows; b++) logQ.Span.CopyTo(correction.Span.Slice(b * rows, rows));
        }
        var diagonal = new int[rows];
        for (int b = 0; b < rows; b++) diagonal[b] = b;
        return ClassCrossEntropy(ScaleShift(logits, correction, temperature), diagonal, weights, reduction, "in_batch_softmax");
    }

    /// <summary>z = x / τ − shift (shift null = 0), recorded so that dx += dz / τ; the shift is data.</summary>
    private static Tensor ScaleShift(Tensor x, Tensor? shift, float temperature)
    {
        if (shift is null && temperature == 1f) return x;
        var z = Tensor.Empty(x.ShapeRef);
        float invT = 1f / temperature;
        TensorPrimitives.Multiply(x.Span, invT, z.Span);
        if (shift is not null) TensorPrimitives.Subtract(z.Span, shift.Span, z.Span);
        if (Autograd.ShouldRecord(x))
        {
            z.Record("scale_shift", [x], g =>
            {
                var gx = x.GradSpanForAccumulate();
                TensorPrimitives.MultiplyAdd(g.Span, invT, gx, gx);
            });
        }
        return z;
    }

    /// <summary>y[b, j] = ⟨u[b, :], v[b, j, :]⟩: u (B, D), v (B, J, D) → (B, J).</summary>
    private static Tensor RowDots(Tensor u, Tensor v)
    {
        if (u.Rank != 2 || v.Rank != 3 || v.Dim(0) != u.Dim(0) || v.Dim(2) != u.Dim(1))
            throw new ArgumentException($"SampledSoftmax needs userVec (B, D) and itemVecs (B, 1 + S, D); got {ShapeUtil.Format(u.Shape)} and {ShapeUtil.Format(v.Shape)}.");
        int rows = u.Dim(0), j = v.Dim(1), d = u.Dim(1);
        var y = Tensor.Empty([rows, j]);
        // One (1, D)·(D, J) GEMM per row: item vectors of row b are contiguous (J, D).
        for (int b = 0; b < rows; b++)
            Gemm.Sgemm(false, true, 1, j, d, 1f, u.Span.Slice(b * d, d), d, v.Span.Slice(b * j * d, j * d), d, 0f, y.Span.Slice(b * j, j), j);
        if (Autograd.ShouldRecord(u, v))
        {
            y.Record("row_dots", [u, v], g =>
            {
                for (int b = 0; b < rows; b++)
                {
                    var gb = g.Span.Slice(b * j, j);
                    if (u.RequiresGrad) Gemm.Sgemm(false, false, 1, d, j, 1f, gb, j, v.Span.Slice(b * j * d, j * d), d, 1f, u.GradSpanForAccumulate().Slice(b * d, d), d);
                    if (v.RequiresGrad) Gemm.Sgemm(true, false, j, d, 1, 1f, gb, j, u.Span.Slice(b * d, d), d, 1f, v.GradSpanForAccumulate().Slice(b * j * d, j * d), d);
                }
            });
        }
        return y;
    }

    /// <summary>Shared forward/backward of the class cross-entropies; targets are validated.</summary>
    private static Tensor ClassCrossEntropy(Tensor logits, int[] targets, Tensor? weights, LossReduction reduction, string op)
    {
        int rows = logits.Dim(0), classes = logits.Dim(1);
        if (weights is not null && (weights.Rank != 1 || weights.Dim(0) != rows))
            throw new ArgumentException($"{op} weights must be ({rows}), got {ShapeUtil.Format(weights.Shape)}.");
        var logP = Tensor.Empty(logits.ShapeRef); // (B, C) log-softmax, kept for backward
        Kernels.Softmax.LogForward(logits.Span, logP.Span, rows, classes, default);
        float scale = FusedOpSupport.ReductionScale(reduction, rows);
        ReadOnlySpan<float> lp = logP.Span, w = weights is null ? default : weights.Span;
        double total = 0;
        for (int b = 0; b < rows; b++)
        {
            double l = -lp[b * classes + targets[b]];
            total += weights is null ? l : w[b] * l;
        }
        var loss = Tensor.Scalar((float)(total * scale));
        if (Autograd.ShouldRecord(logits))
        {
            loss.Record(op, [logits], g =>
            {
                var gx = logits.GradSpanForAccumulate();
                ReadOnlySpan<float> lps = logP.Span, ws = weights is null ? default : weights.Span;
                var p = classes <= 1024 ? stackalloc float[classes] : new float[classes];
                for (int b = 0; b < rows; b++)
                {
                    float s = g.Span[0] * scale * (weights is null ? 1f : ws[b]);
                    TensorPrimitives.Exp(lps.Slice(b * classes, classes), p);
                    p[targets[b]] -= 1f;
                    var gr = gx.Slice(b * classes, classes);
                    TensorPrimitives.MultiplyAdd(p, s, gr, gr);
                }
            });
        }
        return loss;
    }
}
