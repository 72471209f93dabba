namespace Cascade.Training;

/// <summary>Metrics of one evaluation pass.</summary>
/// <param name="Rows">Rows evaluated.</param>
/// <param name="Auc">ROC AUC.</param>
/// <param name="LogLoss">Mean log loss.</param>
/// <param name="Gauc">User-grouped AUC (impression-weighted; users with one label class skipped).</param>
/// <param name="Accuracy">Accuracy at 0.5.</param>
/// <param name="Calibration">Σp / Σy.</param>
public sealed record EvaluationResult(int Rows, double Auc, double LogLoss, double Gauc, double Accuracy, double Calibration);

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="TrainLoss">Mean per-row training loss (prediction + auxiliary + embedding L2, divided by rows).</param>
/// <param name="Validation">Validation metrics after the epoch.</param>
/// <param name="TrainSeconds">Seconds spent in training steps.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public sealed record EpochLog(int Epoch, double TrainLoss, EvaluationResult Validation, double TrainSeconds, double SamplesPerSecond);

/// <summary>What <see cref="Trainer.Fit"/> returns.</summary>
/// <param name="Epochs">Every epoch run, including those before a resume.</param>
/// <param name="BestEpoch">0-based epoch with the best validation metric.</param>
/// <param name="BestMetric">Its value.</param>
/// <param name="StoppedEarly">Whether patience ran out before the epoch limit.</param>
/// <param name="ResumedFromEpoch">First epoch run by this call when it resumed a checkpoint, else null.</param>
/// <param name="TrainSeconds">Total training seconds over all epochs.</param>
/// <param name="Parameters">Trainable scalar count of the model.</param>
public sealed record TrainingResult(IReadOnlyList<EpochLog> Epochs, int BestEpoch, double BestMetric, bool StoppedEarly, int? ResumedFromEpoch,
    double TrainSeconds, long Parameters);

/// <summary>Receives progress from the trainer (the CLI draws progress bars from it).</summary>
public interface ITrainingObserver
{
    /// <summary>An epoch starts with <paramref name="batches"/> batches of up to <paramref name="batchSize"/> rows.</summary>
    void EpochStarted(int epoch, int batches, int batchSize);

    /// <summary>A batch of <paramref name="rows"/> rows was trained; <paramref name="loss"/> is its loss (as reduced).</summary>
    void BatchDone(int rows, double loss);

    /// <summary>An epoch finished and was evaluated.</summary>
    void EpochDone(EpochLog log, bool improved);

    /// <summary>A log line.</summary>
    void Message(string text);
}
