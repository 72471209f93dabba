using Cascade.Features.Data;
using Cascade.Training.Config;

namespace Cascade.Training.Tests;

/// <summary>The trainer on <see cref="TinyCtr"/>: learning, early stopping, resuming, sample weights and the embedding L2.</summary>
public class TrainerTests
{
    private static readonly TinyCtr Task = TinyCtr.Create();
    private static readonly OptimizerConfig Adam = new("adam", 0.01f, 0f, 0f);

    private static TrainingConfig Training(int epochs, int patience = 0, string? checkpoint = null, bool restore = true) =>
        new(epochs, 256, 4096, "mean", "auc", patience, restore, 7, checkpoint);

    [Fact]
    public void TrainingImprovesAuc()
    {
        var model = new DotModel(Task.Layout);
        double before = Evaluator.Evaluate(model, Task.Test, Task.Layout).Auc;
        var result = new Trainer(model, Task.Layout, Training(4), Adam).Fit(Task.Train, Task.Validation);
        double after = Evaluator.Evaluate(model, Task.Test, Task.Layout).Auc;
        Assert.Equal(4, result.Epochs.Count);
        // Measured: ≈ 0.50 at init (random 0.1-σ tables) and ≈ 0.80 after 4 epochs; 0.70 leaves room for
        // platform rounding while failing for a trainer that does not learn the user–item product.
        Assert.InRange(before, 0.40, 0.60);
        Assert.True(after > 0.70, $"test AUC {after:F4} after training");
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        // lr 0.2 over-fits the 3,600 training rows within a few epochs, so validation AUC peaks and falls.
        var model = new DotModel(Task.Layout);
        var result = new Trainer(model, Task.Layout, Training(30, patience: 2), new OptimizerConfig("adam", 0.2f, 0f, 0f)).Fit(Task.Train, Task.Validation);
        Assert.True(result.StoppedEarly);
        int argMax = Enumerable.Range(0, result.Epochs.Count).MaxBy(e => result.Epochs[e].Validation.Auc);
        Assert.Equal(argMax, result.BestEpoch);
        Assert.Equal(result.BestEpoch + 1 + 2, result.Epochs.Count);
        Assert.NotEqual(result.Epochs.Count - 1, result.BestEpoch);
        // The model now holds the best epoch's weights: its validation AUC is that epoch's, not the last one's.
        double now = Evaluator.Evaluate(model, Task.Validation, Task.Layout, 4096).Auc;
        Assert.Equal(result.Epochs[result.BestEpoch].Validation.Auc, now, 12);
        Assert.NotEqual(result.Epochs[^1].Validation.Auc, now, 12);
    }

    [Fact]
    public void ResumeAfterInterruptionEndsWithTheSameWeights()
    {
        string dirA = TempDir(), dirB = TempDir();
        try
        {
            var a = new DotModel(Task.Layout);
            var ra = new Trainer(a, Task.Layout, Training(4, checkpoint: dirA), Adam).Fit(Task.Train, Task.Validation);

            var b1 = new DotModel(Task.Layout);
            var first = new Trainer(b1, Task.Layout, Training(4, checkpoint: dirB), Adam) { StopAfterEpochs = 2 }.Fit(Task.Train, Task.Validation);
            Assert.Equal(2, first.Epochs.Count);
            // A new process: a freshly initialised model (another seed) and a new optimizer; everything comes from the checkpoint.
            var b2 = new DotModel(Task.Layout, seed: 99);
            var rb = new Trainer(b2, Task.Layout, Training(4, checkpoint: dirB), Adam).Fit(Task.Train, Task.Validation);

            Assert.Equal(2, rb.ResumedFromEpoch);
            Assert.Equal(ra.Epochs.Count, rb.Epochs.Count);
            Assert.Equal(ra.BestEpoch, rb.BestEpoch);
            var wa = a.NamedState().ToList();
            var wb = b2.NamedState().ToList();
            Assert.Equal(wa.Count, wb.Count);
            for (int i = 0; i < wa.Count; i++) Assert.True(wa[i].Value.Span.SequenceEqual(wb[i].Value.Span), $"{wa[i].Name} differs after resuming");
            for (int e = 0; e < ra.Epochs.Count; e++) Assert.Equal(ra.Epochs[e].Validation.Auc, rb.Epochs[e].Validation.Auc, 12);
            // Only the last and the best epoch folders are kept.
            Assert.InRange(Directory.GetDirectories(dirB, "epoch-*").Length, 1, 2);
        }
        finally
        {
            Directory.Delete(dirA, true);
            Directory.Delete(dirB, true);
        }
    }

    [Fact]
    public void ZeroSampleWeightsEqualDroppingTheRows()
    {
        var even = Enumerable.Range(0, 512).Where(i => i % 2 == 0).ToArray();
        var all = Task.Train.Select(Enumerable.Range(0, 512).ToArray());
        for (int i = 1; i < 512; i += 2) all.Weights[i] = 0f;
        var subset = Task.Train.Select(even);
        var (lossAll, modelAll) = OneStep(all, 512);
        var (lossSub, modelSub) = OneStep(subset, 256);
        Assert.Equal(lossSub, lossAll, 4);
        var wa = modelAll.NamedState().ToList();
        var wb = modelSub.NamedState().ToList();
        for (int i = 0; i < wa.Count; i++)
            for (int k = 0; k < wa[i].Value.Size; k++) Assert.Equal(wb[i].Value.Span[k], wa[i].Value.Span[k], 5);
    }

    [Fact]
    public void WeightTwoEqualsADuplicatedRow()
    {
        var rows = Enumerable.Range(0, 64).ToArray();
        var weighted = Task.Train.Select(rows);
        for (int i = 0; i < 64; i++) weighted.Weights[i] = 2f;
        var doubled = Task.Train.Select(rows.Concat(rows).ToArray());
        Assert.Equal(OneStep(doubled, 128).Loss, OneStep(weighted, 64).Loss, 3);
    }

    [Fact]
    public void EmbeddingL2AddsLambdaTimesSquaredRowsOfTheBatch()
    {
        var rows = Task.Train.Select(Enumerable.Range(0, 32).ToArray());
        const float lambda = 0.5f;
        var plain = new DotModel(Task.Layout);
        var reg = new DotModel(Task.Layout);
        // λ·Σ‖e‖² over the distinct user and item rows of the batch, before the step.
        var users = new HashSet<int>(); var items = new HashSet<int>();
        for (int r = 0; r < rows.Count; r++) { users.Add(rows.SparseRow(r)[0]); items.Add(rows.SparseRow(r)[1]); }
        var tables = reg.EmbeddingParameters().ToList();
        double expected = 0;
        foreach (var p in tables)
        {
            var set = p.Value.Dim(0) == TableRows(Task, "user_id") ? users : items;
            foreach (int row in set) for (int d = 0; d < 8; d++) { float w = p.Value.Span[row * 8 + d]; expected += lambda * w * w; }
        }
        double l0 = Step(plain, rows, 0f), l1 = Step(reg, rows, lambda);
        Assert.Equal(expected, l1 - l0, 4);
    }

    private static int TableRows(TinyCtr t, string feature) => t.Layout.Slots.Single(s => s.Feature.Name == feature).TableSize;

    private static double Step(DotModel model, ColumnarDataset rows, float l2)
    {
        var trainer = new Trainer(model, Task.Layout, Training(1) with { BatchSize = rows.Count, LossReduction = "sum" }, new OptimizerConfig("sgd", 0.1f, 0f, l2));
        var batcher = new Batcher(rows, new BatcherOptions(rows.Count, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        batcher.Next(out var batch);
        return trainer.TrainStep(batch);
    }

    private static (double Loss, DotModel Model) OneStep(ColumnarDataset rows, int batchSize)
    {
        var model = new DotModel(Task.Layout);
        var trainer = new Trainer(model, Task.Layout, Training(1) with { BatchSize = batchSize, LossReduction = "sum" }, new OptimizerConfig("sgd", 0.05f, 0f, 0f));
        var batcher = new Batcher(rows, new BatcherOptions(batchSize, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        batcher.Next(out var batch);
        return (trainer.TrainStep(batch), model);
    }

    internal static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "cascade-training-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
