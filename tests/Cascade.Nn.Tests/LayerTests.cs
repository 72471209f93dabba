using BagMode = Cascade.Kernels.BagMode;
using Cascade.Nn.Layers;
using Cascade.Tensors;
using static Cascade.Nn.Tests.TestUtil;

namespace Cascade.Nn.Tests;

public class LayerTests
{
    [Fact]
    public void LinearForwardByHand()
    {
        var lin = new Linear(2, 3);
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(lin.Weight.Value.Span);   // W (3, 2)
        new float[] { 0.5f, 0, -1 }.CopyTo(lin.Bias!.Value.Span);
        var y = lin.Forward(Tensor.FromArray([1f, -1f], [1, 2]));
        Close([-0.5f, -1f, -2f], y.Span);
        var y3 = lin.Forward(Tensor.FromArray([1f, -1f, 0f, 1f], [2, 1, 2]));
        Assert.Equal([2, 1, 3], y3.ShapeArray);
        Close([-0.5f, -1f, -2f, 2.5f, 4f, 5f], y3.Span);
        Assert.Contains("must end with 2", Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Zeros([1, 3]))).Message);
    }

    [Fact]
    public void LinearGradients()
    {
        var lin = new Linear(4, 3, seed: 2);
        AssertGradients(lin, [Uniform([5, 4], 1)], x => lin.Forward(x[0]));
    }

    [Theory]
    [InlineData(Activation.Relu, MlpNorm.None)]
    [InlineData(Activation.LeakyRelu, MlpNorm.LayerNorm)]
    [InlineData(Activation.PRelu, MlpNorm.None)]
    [InlineData(Activation.Dice, MlpNorm.None)]
    [InlineData(Activation.Tanh, MlpNorm.BatchNorm)]
    [InlineData(Activation.Sigmoid, MlpNorm.None)]
    [InlineData(Activation.None, MlpNorm.None)]
    public void MlpGradients(Activation activation, MlpNorm norm)
    {
        var mlp = new Mlp(new MlpOptions(3, [5, 2], activation, Norm: norm, ActivateLast: false, Seed: 3));
        AssertGradients(mlp, [Uniform([6, 3], 4, -2f, 2f)], x => mlp.Forward(x[0]));
    }

    [Fact]
    public void MlpMatchesComposedLayers()
    {
        var mlp = new Mlp(new MlpOptions(3, [4, 2], Activation.Relu, ActivateLast: false, Seed: 9));
        var x = Uniform([5, 3], 2);
        var manual = mlp.Layers[1].Forward(Ops.Relu(mlp.Layers[0].Forward(x)));
        Close(manual.Span, mlp.Forward(x).Span, 0);
        Assert.Equal(2, mlp.OutputSize);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], mlp.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void MlpDropoutOnlyInTraining()
    {
        var mlp = new Mlp(new MlpOptions(8, [64], Activation.None, Dropout: 0.5f, Seed: 1));
        var x = Tensor.Full([4, 8], 1f);
        var train = mlp.Forward(x).ToArray();
        Assert.Contains(0f, train);
        mlp.Eval();
        var eval = mlp.Forward(x).ToArray();
        Assert.Equal(mlp.Layers[0].Forward(x).ToArray(), eval);
    }

    [Fact]
    public void EmbeddingLookupPaddingAndGradient()
    {
        var emb = new Embedding(new EmbeddingOptions(5, 3, PaddingId: 0, Seed: 4));
        var w = emb.Table.Value;
        Assert.All(w.Span[..3].ToArray(), v => Assert.Equal(0f, v));
        var ids = new IntTensor([2, 0, 4, 2], [2, 2]);
        var y = emb.Forward(ids);
        Assert.Equal([2, 2, 3], y.ShapeArray);
        Close(w.Span.Slice(6, 3), y.Span[..3], 0);
        Assert.All(y.Span.Slice(3, 3).ToArray(), v => Assert.Equal(0f, v));
        Close(w.Span.Slice(12, 3), y.Span.Slice(6, 3), 0);
        AssertGradients(emb, [], _ => emb.Forward(ids));
        Ops.Sum(emb.Forward(ids)).Backward();
        Assert.Equal([2, 4], w.TouchedRows!.Rows.ToArray());
        Assert.Throws<ArgumentException>(() => emb.Forward(new IntTensor([5], [1])));
    }

    [Fact]
    public void HashedEmbeddingMapsRawIdsToBuckets()
    {
        var emb = new Embedding(new EmbeddingOptions(7, 2, Hashed: true, PaddingId: 0, Seed: 1));
        var y = emb.Forward(new IntTensor([123_456_789, 0, -5], [3]));
        int b = emb.Bucket(123_456_789);
        Assert.InRange(b, 0, 6);
        Close(emb.Table.Value.Span.Slice(2 * b, 2), y.Span[..2], 0);
        Assert.Equal([0f, 0f], y.Span.Slice(2, 2).ToArray());
        Close(emb.Table.Value.Span.Slice(2 * emb.Bucket(-5), 2), y.Span.Slice(4, 2), 0);
    }

    [Theory]
    [InlineData(BagMode.Sum)]
    [InlineData(BagMode.Mean)]
    [InlineData(BagMode.Max)]
    public void EmbeddingBagPoolsAndDifferentiates(BagMode mode)
    {
        var bag = new EmbeddingBag(new EmbeddingOptions(6, 2, PaddingId: 5, Seed: 2, InitStd: 1f), mode);
        var t = bag.Table.Value.Span;
        var ids = IntTensor.FromArray([1, 3, 5, 2]);
        var offsets = IntTensor.FromArray([0, 3, 3, 4]);   // bags {1, 3, pad}, {}, {2}
        var y = bag.Forward(ids, offsets);
        Assert.Equal([3, 2], y.ShapeArray);
        for (int d = 0; d < 2; d++)
        {
            float a = t[1 * 2 + d], c = t[3 * 2 + d];
            float expected = mode switch { BagMode.Sum => a + c, BagMode.Mean => (a + c) / 2, _ => MathF.Max(a, c) };
            Assert.Equal(expected, y[0, d], 5);
            Assert.Equal(0f, y[1, d]);
            Assert.Equal(t[2 * 2 + d], y[2, d]);
        }
        AssertGradients(bag, [], _ => bag.Forward(ids, offsets));
    }

    [Fact]
    public void HashedEmbeddingBagSkipsRawPaddingIds()
    {
        var bag = new EmbeddingBag(new EmbeddingOptions(5, 2, Hashed: true, PaddingId: 7, InitStd: 1f), BagMode.Sum);
        var y = bag.Forward(IntTensor.FromArray([1_000_003, 7, 42]), IntTensor.FromArray([0, 2, 3]));
        var t = bag.Table.Value.Span;
        int b0 = bag.Bucket(1_000_003), b1 = bag.Bucket(42);
        Assert.Equal(t[2 * b0], y[0, 0], 6);       // the padding id 7 adds nothing
        Assert.Equal(t[2 * b1 + 1], y[1, 1], 6);
    }

    [Fact]
    public void EmbeddingBagFixedLength()
    {
        var bag = new EmbeddingBag(new EmbeddingOptions(4, 3, PaddingId: 0), BagMode.Mean);
        var y = bag.Forward(new IntTensor([1, 2, 3, 0], [2, 2]));
        var t = bag.Table.Value.Span;
        Assert.Equal((t[3] + t[6]) / 2, y[0, 0], 6);
        Assert.Equal(t[9], y[1, 0], 6);
    }

    [Fact]
    public void LayerNormByHandAndGradients()
    {
        var ln = new LayerNorm(3);
        var y = ln.Forward(Tensor.FromArray([1f, 2f, 3f], [1, 3]));
        float s = 1f / MathF.Sqrt(2f / 3f + 1e-5f);
        Close([-s, 0f, s], y.Span);
        Init.Uniform(ln.Gamma, new Rng(1), 0.5f, 1.5f);
        Init.Uniform(ln.Beta, new Rng(2), -0.5f, 0.5f);
        AssertGradients(ln, [Uniform([4, 3], 3)], x => ln.Forward(x[0]));
    }

    [Fact]
    public void BatchNormRunningStatsAndEvaluation()
    {
        var bn = new BatchNorm1d(1, momentum: 0.1f);
        var y = bn.Forward(Tensor.FromArray([1f, 3f], [2, 1]));
        float s = 1f / MathF.Sqrt(1f + 1e-5f);
        Close([-s, s], y.Span);
        Assert.Equal(0.2f, bn.RunningMean.Span[0], 6);          // 0.9·0 + 0.1·2
        Assert.Equal(1.1f, bn.RunningVar.Span[0], 6);           // 0.9·1 + 0.1·2 (unbiased batch variance)
        bn.Eval();
        var e = bn.Forward(Tensor.FromArray([0.2f + MathF.Sqrt(1.1f + 1e-5f)], [1, 1]));
        Assert.Equal(1f, e.Span[0], 5);
        Assert.Equal(0.2f, bn.RunningMean.Span[0], 6);          // evaluation leaves the buffers alone
        Assert.Equal(["running_mean", "running_var"], bn.NamedBuffers().Select(b => b.Name));
    }

    [Fact]
    public void BatchNormGradientsInBothModes()
    {
        var bn = new BatchNorm1d(3);
        Init.Uniform(bn.Gamma, new Rng(1), 0.5f, 1.5f);
        AssertGradients(bn, [Uniform([5, 3], 4)], x => bn.Forward(x[0]));
        bn.Eval();
        AssertGradients(bn, [Uniform([5, 3], 5)], x => bn.Forward(x[0]));
    }

    [Fact]
    public void PReluByHandAndGradients()
    {
        var p = new PRelu(2);
        Close([-0.5f, 3f], p.Forward(Tensor.FromArray([-2f, 3f], [1, 2])).Span);
        AssertGradients(p, [Uniform([4, 2], 6)], x => p.Forward(x[0]));
    }

    [Fact]
    public void DiceMatchesItsDefinition()
    {
        var dice = new Dice(2);
        new float[] { 0.3f, -0.2f }.CopyTo(dice.Alpha.Value.Span);
        var x = Uniform([6, 2], 7, -2f, 2f);
        var y = dice.Forward(x);
        for (int c = 0; c < 2; c++)
        {
            double mean = 0, var = 0;
            for (int r = 0; r < 6; r++) mean += x[r, c];
            mean /= 6;
            for (int r = 0; r < 6; r++) var += (x[r, c] - mean) * (x[r, c] - mean);
            var /= 6;
            for (int r = 0; r < 6; r++)
            {
                double p = 1 / (1 + Math.Exp(-(x[r, c] - mean) / Math.Sqrt(var + 1e-8)));
                double expected = p * x[r, c] + (1 - p) * dice.Alpha.Value.Span[c] * x[r, c];
                Assert.Equal(expected, y[r, c], 4);
            }
        }
        AssertGradients(dice, [Uniform([6, 2], 8, -2f, 2f)], xs => dice.Forward(xs[0]));
    }

    [Fact]
    public void DropoutScalesKeptElementsAndIsIdentityInEvaluation()
    {
        var d = new Dropout(0.25f, seed: 3);
        var x = Tensor.Full([1000], 2f);
        var y = d.Forward(x).ToArray();
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 2f / 0.75f) < 1e-6));
        Assert.InRange(y.Count(v => v == 0f), 200, 300);   // 250 expected, s.d. 13.7
        d.Eval();
        Assert.Same(x, d.Forward(x));
        AssertGradients(new Dropout(0.5f), [Uniform([3, 4], 1)], xs => new Dropout(0.5f, seed: 9).Forward(xs[0]));
    }
}
