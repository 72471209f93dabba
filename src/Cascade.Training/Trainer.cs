using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Models;
using Cascade.Nn.Optim;
using Cascade.Tensors;
using Cascade.Training.Config;

namespace Cascade.Training;

/// <summary>
/// Trains a <see cref="CtrModel"/> as the IntTower scripts do by default: BCE summed (or averaged) per batch plus the
/// model's auxiliary loss plus λ·Σ‖e‖² over the embedding rows the batch used, one optimizer step per batch,
/// validation after every epoch, early stopping on validation AUC with patience, and the best epoch's weights
/// restored at the end. With a checkpoint folder every epoch is saved (model, optimizer state, trainer state) and a
/// new run with the same folder resumes after the last saved epoch; batch order depends only on (seed, epoch), so a
/// resumed run of a model without dropout ends with the same weights as an uninterrupted one. Dropout masks come from
/// generators inside the layers whose state the engine does not expose; after a resume they restart their stream.
/// </summary>
public sealed partial class Trainer
{
    private readonly CtrModel _model;
    private readonly FeatureLayout _layout;
    private readonly TrainingConfig _config;
    private readonly OptimizerConfig _optimizerConfig;
    private readonly Optimizer _optimizer;
    private readonly LossReduction _reduction;
    private readonly TensorArena _arena = new();

    /// <summary>Creates a trainer for <paramref name="model"/> built on <paramref name="layout"/>.</summary>
    public Trainer(CtrModel model, FeatureLayout layout, TrainingConfig training, OptimizerConfig optimizer)
    {
        _model = model;
        _layout = layout;
        _config = training;
        _optimizerConfig = optimizer;
        _optimizer = OptimizerFactory.Create(model, optimizer);
        _reduction = training.LossReduction == "mean" ? LossReduction.Mean : LossReduction.Sum;
    }

    /// <summary>The optimizer (its state is part of the checkpoint).</summary>
    public Optimizer Optimizer => _optimizer;

    /// <summary>Progress receiver, or null.</summary>
    public ITrainingObserver? Observer { get; set; }

    /// <summary>
    /// Stops the run after this many epochs of this call have completed (and were checkpointed), as if the process
    /// were killed there; for tests of resuming and for time-boxed runs. Null: no limit.
    /// </summary>
    public int? StopAfterEpochs { get; set; }

    /// <summary>Trains on <paramref name="train"/>, selecting the epoch on <paramref name="validation"/>.</summary>
    public TrainingResult Fit(ColumnarDataset train, ColumnarDataset validation)
    {
        if (train.Count == 0) throw new ArgumentException("The training split is empty.", nameof(train));
        if (validation.Count == 0 && _config.Patience > 0) throw new ArgumentException("Early stopping needs validation rows, but the validation split is empty.", nameof(validation));
        var state = TryResume() ?? new TrainerState();
        int? resumedFrom = state.NextEpoch > 0 ? state.NextEpoch : null;
        if (resumedFrom is { } r) Observer?.Message($"resumed from the checkpoint after epoch {r - 1}");
        var batcher = new Batcher(train, new BatcherOptions(_config.BatchSize, _config.Seed));
        bool higherIsBetter = _config.EarlyStoppingMetric == "auc";
        int runThisCall = 0;
        bool stoppedEarly = state.StoppedEarly;
        _model.Train();
        for (int epoch = state.NextEpoch; epoch < _config.Epochs && !stoppedEarly; epoch++)
        {
            Observer?.EpochStarted(epoch, batcher.BatchesPerEpoch, _config.BatchSize);
            var sw = Stopwatch.StartNew();
            double lossSum = RunEpoch(batcher, epoch);
            double seconds = sw.Elapsed.TotalSeconds;
            var val = Evaluator.Evaluate(_model, validation, _layout, _config.EvalBatchSize);
            var log = new EpochLog(epoch, lossSum / train.Count, val, seconds, train.Count / Math.Max(seconds, 1e-9));
            state.Logs.Add(log);
            double metric = higherIsBetter ? val.Auc : val.LogLoss;
            bool improved = state.BestEpoch < 0 || (higherIsBetter ? metric > state.BestMetric : metric < state.BestMetric);
            if (improved)
            {
                state.BestEpoch = epoch;
                state.BestMetric = metric;
                state.BadEpochs = 0;
                SnapshotBest();
            }
            else state.BadEpochs++;
            if (_config.Patience > 0 && state.BadEpochs >= _config.Patience) stoppedEarly = state.StoppedEarly = true;
            state.NextEpoch = epoch + 1;
            Observer?.EpochDone(log, improved);
            SaveCheckpoint(state, improved);
            runThisCall++;
            if (StopAfterEpochs is { } stop && runThisCall >= stop && state.NextEpoch < _config.Epochs && !stoppedEarly)
                return Result(state, resumedFrom, stoppedEarly);
        }
        if (_config.RestoreBest && state.BestEpoch >= 0 && _bestState is not null) RestoreBest();
        return Result(state, resumedFrom, stoppedEarly);
    }

    private TrainingResult Result(TrainerState s, int? resumedFrom, bool stoppedEarly) =>
        new(s.Logs.ToList(), s.BestEpoch, s.BestMetric, stoppedEarly, resumedFrom, s.Logs.Sum(l => l.TrainSeconds), _model.ParameterCount);

    private double RunEpoch(Batcher batcher, int epoch)
    {
        batcher.StartEpoch(epoch);
        double lossSum = 0;
        while (batcher.Next(out var batch))
        {
            double loss = TrainStep(batch);
            lossSum += _reduction == LossReduction.Sum ? loss : loss * batch.Count;
            Observer?.BatchDone(batch.Count, loss);
        }
        return lossSum;
    }
}
