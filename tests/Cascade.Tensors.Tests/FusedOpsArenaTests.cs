namespace Cascade.Tensors.Tests;

/// <summary>The fused ops run inside a <see cref="TensorArena"/>: a repeated step takes no new arena memory and
/// computes the same loss and gradients as without an arena.</summary>
public class FusedOpsArenaTests
{
    private sealed class Model
    {
        public readonly Tensor Table = Tensor.Uniform([10, 4], 1, -1, 1, requiresGrad: true);
        public readonly Tensor W = Tensor.Uniform([6, 4], 2, -1, 1, requiresGrad: true);
        public readonly Tensor B = Tensor.Uniform([6], 3, -1, 1, requiresGrad: true);
        public readonly Tensor Gain = Tensor.Full([6], 1f, requiresGrad: true);
        public readonly GruWeights Gru = new(Tensor.Uniform([9, 6], 4, -1, 1, requiresGrad: true), Tensor.Uniform([9, 3], 5, -1, 1, requiresGrad: true), null, null);
        public readonly Tensor RunningMean = Tensor.Zeros([3]);
        public readonly Tensor RunningVar = Tensor.Full([3], 1f);
        public readonly Tensor Head = Tensor.Uniform([1, 3], 6, -1, 1, requiresGrad: true);

        public Tensor Loss()
        {
            var ids = new IntTensor([1, 2, 3, 0, 9, 9, 4, -1], [2, 4]);
            var e = Ops.Embedding(Table, ids);                                       // (2, 4, 4)
            var h = Ops.LayerNorm(Ops.Linear(e, W, B), Gain, null);                  // (2, 4, 6)
            var (states, final) = Ops.Gru(h, IntTensor.FromArray([4, 3]), Gru);     // (2, 4, 3), (2, 3)
            var q = Ops.Reshape(final, [2, 1, 1, 3]);
            var kv = Ops.Reshape(states, [2, 1, 4, 3]);
            var att = Ops.Reshape(Ops.ScaledDotProductAttention(q, kv, kv, new IntTensor([1, 1, 1, 1, 1, 1, 1, 0], [2, 4])), [2, 3]);
            var norm = Ops.BatchNorm(att, null, null, RunningMean, RunningVar, training: true);
            var logits = Ops.Reshape(Ops.Linear(norm, Head, null), [2]);
            return Ops.BinaryCrossEntropyWithLogits(logits, Tensor.FromArray([1f, 0f], [2]));
        }

        public Tensor[] Parameters => [Table, W, B, Gain, Gru.WIh, Gru.WHh, Head];
    }

    [Fact]
    public void RepeatedStepReusesArenaMemoryAndMatchesPlainRun()
    {
        var plain = new Model();
        float plainLoss = plain.Loss().Item();
        plain.Loss().Backward();

        var model = new Model();
        var arena = new TensorArena();
        float loss = 0;
        long capacity = 0;
        for (int step = 0; step < 3; step++)
        {
            foreach (var p in model.Parameters) p.ZeroGrad();
            using (arena.Activate())
            {
                var l = model.Loss();
                loss = l.Item();
                l.Backward();
            }
            if (step == 1) capacity = arena.CapacityFloats;
            if (step == 2) Assert.Equal(capacity, arena.CapacityFloats);
        }
        Assert.Equal(plainLoss, loss, 5);
        for (int i = 0; i < model.Parameters.Length; i++)
            Assert.Equal(plain.Parameters[i].Grad!.ToArray(), model.Parameters[i].Grad!.ToArray());
        Assert.Equal([1, 2, 3, 0, 9, 4], model.Table.TouchedRows!.Rows.ToArray());
    }
}
