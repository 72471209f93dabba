using Cascade.Features.Data;
using Cascade.Models;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Training;

public sealed partial class Trainer
{
    /// <summary>
    /// One optimizer step on <paramref name="batch"/>: loss = BCE(scores, labels; weights) reduced by sum or mean
    /// + auxiliary loss + λ·Σ‖e_r‖² over the embedding rows r the batch touched. Returns the loss value.
    /// </summary>
    public double TrainStep(Batch batch)
    {
        using (_arena.Activate())
        {
            var input = ModelInput.FromBatch(batch, _layout);
            _optimizer.ZeroGrad();
            var scores = _model.Forward(input);                               // (B)
            var loss = _model.PredictionLoss(scores, input, _reduction);      // scalar
            if (_model.AuxiliaryLoss is { } aux) loss = Ops.Add(loss, aux);
            loss.Backward();
            double value = loss.Span[0];
            if (_optimizerConfig.L2Embedding > 0f) value += AddEmbeddingL2(_optimizerConfig.L2Embedding);
            _optimizer.Step();
            return value;
        }
    }

    /// <summary>
    /// The IntTower scripts add l2_reg_embedding · Σ w² of the embedding weights to the loss (DeepCTR's
    /// regularisation). Its gradient 2λw is added here directly to the rows the batch used, which is what a lazy
    /// sparse optimizer updates anyway (untouched rows would only shrink, by 2λ·lr ≈ 2e-8 per step). Returns the
    /// penalty's value over those rows.
    /// </summary>
    private double AddEmbeddingL2(float lambda)
    {
        double penalty = 0;
        foreach (var p in _model.EmbeddingParameters())
        {
            if (p.Grad is not { } grad) continue;
            var w = p.Value.Span;
            var g = grad.Span;
            if (p.Value.TouchedRows is { All: false } rows && p.Value.Rank == 2)
            {
                int d = p.Value.Dim(1);
                foreach (int r in rows.Rows) penalty += Penalise(w.Slice(r * d, d), g.Slice(r * d, d), lambda);
            }
            else penalty += Penalise(w, g, lambda);
        }
        return penalty;
    }

    private static double Penalise(ReadOnlySpan<float> w, Span<float> g, float lambda)
    {
        // g += 2λ·w ; value λ·Σw²
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w, 2f * lambda, g, g);
        return lambda * (double)System.Numerics.Tensors.TensorPrimitives.Dot(w, w);
    }
}
