using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Models;
using Cascade.Tensors;
using Cascade.Training.Metrics;

namespace Cascade.Training;

/// <summary>Predictions of a model over a dataset and the binary metrics of them.</summary>
public static class Evaluator
{
    /// <summary>Click probabilities of every row of <paramref name="data"/> in row order (eval mode; the caller's mode is restored).</summary>
    public static float[] Predict(CtrModel model, ColumnarDataset data, FeatureLayout layout, int batchSize = 8192)
    {
        bool wasTraining = model.IsTraining;
        model.Eval();
        var preds = new float[data.Count];
        var batcher = new Batcher(data, new BatcherOptions(Math.Max(1, Math.Min(batchSize, Math.Max(1, data.Count))), 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        var arena = new TensorArena();
        int at = 0;
        try
        {
            while (batcher.Next(out var batch))
            {
                using (arena.Activate())
                {
                    var input = ModelInput.FromBatch(batch, layout);
                    model.Predict(input).CopyTo(preds.AsSpan(at));
                    at += batch.Count;
                }
            }
        }
        finally { model.Train(wasTraining); }
        return preds;
    }

    /// <summary>AUC, log loss, GAUC, accuracy and calibration of the model on <paramref name="data"/> (sample weights honoured).</summary>
    public static EvaluationResult Evaluate(CtrModel model, ColumnarDataset data, FeatureLayout layout, int batchSize = 8192)
    {
        var p = Predict(model, data, layout, batchSize);
        return Metrics(p, data);
    }

    /// <summary>The metrics of given predictions against a dataset's labels, weights and users.</summary>
    public static EvaluationResult Metrics(ReadOnlySpan<float> p, ColumnarDataset data)
    {
        var y = data.Labels.AsSpan(0, data.Count);
        var w = data.Weights.AsSpan(0, data.Count);
        return new EvaluationResult(data.Count, BinaryMetrics.Auc(p, y, w), BinaryMetrics.LogLoss(p, y, w),
            BinaryMetrics.Gauc(p, y, data.UserIds.AsSpan(0, data.Count), w), BinaryMetrics.Accuracy(p, y, 0.5f, w), BinaryMetrics.Calibration(p, y, w));
    }
}
