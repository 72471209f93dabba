using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public class SparseOptimizerTests
{
    private static void TrainStep(Embedding emb, Optimizer opt, int[] ids, float[] weights)
    {
        opt.ZeroGrad();
        var e = emb.Forward(IntTensor.FromArray(ids));                     // (N, D)
        var w = Tensor.FromArray(weights, [ids.Length, 1]);
        Ops.Sum(Ops.Mul(Ops.Mul(e, e), w)).Backward();
        opt.Step();
    }

    [Theory]
    [MemberData(nameof(OptimizerKinds.All), MemberType = typeof(OptimizerKinds))]
    public void UntouchedRowsAndStateAreBitIdentical(string kind)
    {
        var emb = new Embedding(new EmbeddingOptions(12, 4, Seed: 3, InitStd: 0.5f));
        var opt = OptimizerKinds.Make(kind, [new ParameterGroup([emb.Table], 0.05f, kind == "ftrl" ? 0f : 0.01f)]);
        TrainStep(emb, opt, [1, 5, 5, 7], [1f, 2f, -1f, 0.5f]);             // warm state on rows 1, 5, 7
        var before = emb.Table.Value.ToArray();
        var stateBefore = opt.State(emb.Table).Select(s => s.Values.ToArray()).ToList();
        TrainStep(emb, opt, [5, 9], [1f, 3f]);                              // touches rows 5 and 9 only
        var after = emb.Table.Value.Span;
        var stateAfter = opt.State(emb.Table);
        for (int r = 0; r < 12; r++)
        {
            bool touched = r is 5 or 9;
            var rowBefore = before.AsSpan(r * 4, 4);
            var rowAfter = after.Slice(r * 4, 4);
            if (touched)
            {
                Assert.False(rowBefore.SequenceEqual(rowAfter), $"{kind}: touched row {r} did not change");
                continue;
            }
            Assert.True(rowBefore.SequenceEqual(rowAfter), $"{kind}: untouched row {r} changed");
            for (int s = 0; s < stateAfter.Count; s++)
                Assert.True(stateBefore[s].AsSpan(r * 4, 4).SequenceEqual(stateAfter[s].Values.AsSpan(r * 4, 4)), $"{kind}: state {stateAfter[s].Slot} of untouched row {r} changed");
        }
    }

    [Fact]
    public void LazyAdamOnTouchedRowsEqualsDenseAdamOnTheFirstStep()
    {
        var sparse = new Embedding(new EmbeddingOptions(6, 3, Seed: 2, InitStd: 1f));
        var dense = new Embedding(new EmbeddingOptions(6, 3, Seed: 2, InitStd: 1f, Sparse: false));
        var o1 = new Adam([new ParameterGroup([sparse.Table], 0.1f)]);
        var o2 = new Adam([new ParameterGroup([dense.Table], 0.1f)]);
        TrainStep(sparse, o1, [0, 4], [1f, -2f]);
        TrainStep(dense, o2, [0, 4], [1f, -2f]);
        Assert.Equal(dense.Table.Value.ToArray(), sparse.Table.Value.ToArray());
    }

    [Fact]
    public void EmbeddingL2AppliesToTouchedRowsOnly()
    {
        var emb = new Embedding(new EmbeddingOptions(4, 2, Seed: 1, InitStd: 1f));
        var w0 = emb.Table.Value.ToArray();
        var opt = new Sgd([new ParameterGroup([emb.Table], 0.1f, WeightDecay: 0.5f)]);
        opt.ZeroGrad();
        Ops.Sum(emb.Forward(IntTensor.FromArray([2]))).Backward();   // gradient 1 on row 2
        opt.Step();
        var w = emb.Table.Value.Span;
        for (int i = 0; i < 8; i++)
        {
            float expected = i / 2 == 2 ? w0[i] - 0.1f * (1f + 0.5f * w0[i]) : w0[i];
            Assert.Equal(expected, w[i], 6);
        }
    }

    [Fact]
    public void DenseUseOfASparseTableFallsBackToADenseStep()
    {
        // A table that is also used by a dense op (tied weights) has TouchedRows.All set: every row must update.
        var emb = new Embedding(new EmbeddingOptions(3, 2, Seed: 1, InitStd: 1f));
        var w0 = emb.Table.Value.ToArray();
        var opt = new Sgd([new ParameterGroup([emb.Table], 0.1f)]);
        opt.ZeroGrad();
        var e = emb.Forward(IntTensor.FromArray([0]));
        Ops.Add(Ops.Sum(e), Ops.Sum(emb.Table.Value)).Backward();
        Assert.Null(emb.Table.SparseRows);
        opt.Step();
        Assert.NotEqual(w0[4], emb.Table.Value.Span[4]);
    }

    [Fact]
    public void ClippingCountsOnlyTouchedRows()
    {
        var emb = new Embedding(new EmbeddingOptions(5, 2, Seed: 1));
        Ops.Mul(Ops.Sum(emb.Forward(IntTensor.FromArray([3]))), 3f).Backward();   // row 3 gradient (3, 3)
        float norm = GradientClipping.ClipByGlobalNorm([emb.Table], 1f);
        Assert.Equal(MathF.Sqrt(18f), norm, 5);
        Assert.Equal(3f / MathF.Sqrt(18f), emb.Table.Grad!.Span[6], 4);
    }
}
