using Cascade.Features.Data;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Tests;

public class CoreTests
{
    private static readonly Lazy<SyntheticCtr> Task = new(() => SyntheticCtr.Create());

    /// <summary>The smallest split model: user and item id embeddings, score = their dot product.</summary>
    private sealed class DotModel : CtrModel
    {
        private readonly FeatureEmbedder _emb;
        public DotModel(SyntheticCtr t) => _emb = RegisterModule("embedding", new FeatureEmbedder(t.Layout, new EmbedderOptions(8, 0.1f)));
        public override string Name => "dot";
        public override Tensor Forward(ModelInput input) =>
            Ops.BatchedDot(_emb.Embed(input, input.Layout["user_id"]), _emb.Embed(input, input.Layout["item_id"]));
    }

    [Fact]
    public void SyntheticTaskHasSignal()
    {
        // The true probabilities separate clicks well, so a learning model has room to show it learned.
        Assert.InRange(Task.Value.OracleAuc, 0.75, 0.95);
    }

    [Fact]
    public void OwnedModelInputIsRefilledInPlaceOnlyForTheSameShape()
    {
        var t = Task.Value;
        var batcher = new Batcher(t.Train, new BatcherOptions(16, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        Assert.True(batcher.Next(out var first));
        var owned = ModelInput.FromBatchOwned(first, t.Layout);
        Assert.Throws<InvalidOperationException>(() => ModelInput.FromBatch(first, t.Layout).TryRefill(first));
        var zeroed = ModelInput.FromBatchOwned(first, t.Layout);
        Array.Clear(zeroed.SparseIds("user_id").Data);
        Assert.True(zeroed.TryRefill(first)); // same batch, same shape: contents restored in place
        Assert.Equal(ModelInput.FromBatch(first, t.Layout).SparseIds("user_id").Data, zeroed.SparseIds("user_id").Data);
        while (batcher.Next(out var batch))
        {
            var expected = ModelInput.FromBatch(batch, t.Layout);
            var ids = owned.SparseIds("user_id").Data;
            bool same = batch.Count == owned.Count && expected.VarLenIds("genres").Ids.Size == owned.VarLenIds("genres").Ids.Size;
            Assert.Equal(same, owned.TryRefill(batch));
            if (!same) { owned = ModelInput.FromBatchOwned(batch, t.Layout); continue; }
            Assert.Same(ids, owned.SparseIds("user_id").Data); // the same buffers, new contents
            Assert.Equal(expected.SparseIds("user_id").Data, owned.SparseIds("user_id").Data);
            Assert.Equal(expected.VarLenIds("genres").Ids.Data, owned.VarLenIds("genres").Ids.Data);
            Assert.Equal(expected.VarLenIds("genres").Offsets.Data, owned.VarLenIds("genres").Offsets.Data);
            Assert.Equal(expected.Dense.ToArray(), owned.Dense.ToArray());
            Assert.Equal(expected.Labels.ToArray(), owned.Labels.ToArray());
            Assert.Equal(expected.Weights.ToArray(), owned.Weights.ToArray());
        }
    }

    [Fact]
    public void ModelInputCutsEverySlot()
    {
        var t = Task.Value;
        var batcher = new Batcher(t.Train, new BatcherOptions(32, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        Assert.True(batcher.Next(out var batch));
        var input = ModelInput.FromBatch(batch, t.Layout);
        Assert.Equal(32, input.Count);
        Assert.Equal([32, 1], input.SparseIds("user_id").Shape.ToArray());
        var (ids, offsets) = input.VarLenIds("genres");
        Assert.Equal(33, offsets.Size);
        Assert.Equal(ids.Size, offsets.Data[32]);
        Assert.Equal([32, t.Layout.DenseWidth], input.Dense.Shape.ToArray());
        Assert.Equal(batch.LabelSpan.ToArray(), input.Labels.ToArray());
        var ex = Assert.Throws<KeyNotFoundException>(() => input.SparseIds("genres"));
        Assert.Contains("not a sparse feature", ex.Message);
    }

    [Fact]
    public void EmbedderSharesTablesAndPoolsBags()
    {
        var t = Task.Value;
        var emb = new FeatureEmbedder(t.Layout, new EmbedderOptions(8));
        var batcher = new Batcher(t.Train, new BatcherOptions(16, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        batcher.Next(out var batch);
        var input = ModelInput.FromBatch(batch, t.Layout);
        var slots = emb.EmbeddedSlots();
        Assert.Equal(6, slots.Count);
        Assert.Equal([16, 6, 8], emb.EmbedStacked(input, slots).Shape.ToArray());
        Assert.Equal([16, 48], emb.EmbedConcat(input, slots).Shape.ToArray());
        // Mean pooling of the genres bag equals the mean of its rows looked up one by one.
        var pooled = emb.Embed(input, t.Layout["genres"]).ToArray();
        var (ids, offsets) = input.VarLenIds("genres");
        var table = emb.TableOf("genres").Table.Value;
        for (int d = 0; d < 8; d++)
        {
            float sum = 0;
            int count = 0;
            for (int j = offsets.Data[0]; j < offsets.Data[1]; j++) if (ids.Data[j] != 0) { sum += table[ids.Data[j], d]; count++; }
            Assert.Equal(count == 0 ? 0 : sum / count, pooled[d], 5);
        }
        Assert.Equal(2, FeatureEmbedder.DenseValues(input, emb.DenseSlots()).Shape.Length);
        Assert.True(emb.TableParameters().All(p => p.IsSparse));
    }

    [Fact]
    public void DotModelLearnsTheSyntheticTask()
    {
        var t = Task.Value;
        var model = new DotModel(t);
        double before = t.Evaluate(model);
        double after = t.TrainAndEvaluate(model, epochs: 5, lr: 1e-2f);
        // Ids alone recover the latent factors well enough to approach the oracle; untrained is a coin flip.
        Assert.InRange(before, 0.4, 0.6);
        Assert.True(after > 0.75, $"test AUC {after:F4} (oracle {t.OracleAuc:F4})");
    }

    [Fact]
    public void ZooRejectsUnknownModelsAndParameters()
    {
        var t = Task.Value;
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Create(t.Layout, new ModelSettings("no-such-model")));
        Assert.Contains("Unknown model 'no-such-model'", ex.Message);
        var settings = new ModelSettings("x", new Dictionary<string, string> { ["heads"] = "four", ["typo"] = "1" });
        var bad = Assert.Throws<ArgumentException>(() => settings.Int("heads", 2));
        Assert.Contains("'heads': expected an integer, got 'four'", bad.Message);
        var unused = Assert.Throws<ArgumentException>(settings.ThrowOnUnused);
        Assert.Contains("'typo'", unused.Message);
    }
}
