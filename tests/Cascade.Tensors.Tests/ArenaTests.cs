using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>The arena hands the same buffers back on every step with fixed shapes: steady state allocates no floats.</summary>
public class ArenaTests
{
    [Fact]
    public void SecondStepAllocatesNoNewFloatBuffers()
    {
        var w1 = Tensor.Randn([6, 8], seed: 1, std: 0.3f, requiresGrad: true);
        var alpha = Tensor.Full([8], 0.25f, requiresGrad: true);
        var w2 = Tensor.Randn([8, 3], seed: 2, std: 0.3f, requiresGrad: true);
        var runningMean = Tensor.Zeros([8]);
        var runningVar = Tensor.Full([8], 1f);
        var x = Tensor.Uniform([5, 6], seed: 3, -1f, 1f);
        var targets = new IntTensor([0, 2, 1, 1, 0], [5, 1]);
        var rng = new Rng(4);
        var arena = new TensorArena();
        long[] capacity = new long[3];
        for (int step = 0; step < 3; step++)
        {
            using (arena.Activate())
            {
                // A small MLP touching most op families: matmul, Dice, dropout, concat/slice, softmax, gather, reductions.
                var h = Ops.Dice(Ops.MatMul(x, w1), alpha, runningMean, runningVar, training: true);
                h = Ops.Dropout(h, 0.2f, training: true, rng);
                h = Ops.Concat([Ops.Slice(h, 1, 0, 4), Ops.Tanh(Ops.Slice(h, 1, 4, 4))], 1);
                var logp = Ops.LogSoftmax(Ops.MatMul(Ops.L2Normalize(h), w2));
                var loss = Ops.Neg(Ops.Mean(Ops.Sum(Ops.Gather(logp, 1, targets), 1)));
                loss.Backward();
            }
            capacity[step] = arena.CapacityFloats;
        }
        Assert.True(capacity[0] > 0, "the first step should have rented buffers from the arena");
        Assert.Equal(capacity[0], capacity[1]);
        Assert.Equal(capacity[0], capacity[2]);
    }
}
