using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>Forward values of activations, dropout, Dice and softmax against hand-computed numbers.</summary>
public class ActivationForwardTests
{
    private static void Near(float[] expected, Tensor actual, float tol = 1e-5f)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(MathF.Abs(expected[i] - a[i]) <= tol || expected[i] == a[i], $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    [Fact]
    public void LeakyReluScalesNegatives() =>
        Near([-0.2f, 0f, 3f], Ops.LeakyRelu(Tensor.FromArray([-2f, 0f, 3f], [3]), 0.1f));

    [Fact]
    public void TanhAndSoftplusMatchFormulas()
    {
        Near([-0.7615942f, 0f, 0.9640276f], Ops.Tanh(Tensor.FromArray([-1f, 0f, 2f], [3])));
        // log(1 + e^x): x = −1 → 0.3132617, 0 → ln 2, 30 → 30 (no overflow).
        Near([0.3132617f, 0.6931472f, 30f], Ops.Softplus(Tensor.FromArray([-1f, 0f, 30f], [3])));
    }

    [Fact]
    public void PReluUsesOneSlopePerChannel()
    {
        var x = Tensor.FromArray([-2f, 3f, -1f, -4f], [2, 2]);
        Near([-0.2f, 3f, -0.1f, -0.8f], Ops.PRelu(x, Tensor.FromArray([0.1f, 0.2f], [2])));
        Assert.Throws<ArgumentException>(() => Ops.PRelu(x, Tensor.FromArray([0.1f, 0.2f, 0.3f], [3])));
    }

    [Fact]
    public void PReluSendsGradientToAlpha()
    {
        var x = Tensor.FromArray([-2f, 3f, -1f, -4f], [2, 2]);
        var alpha = Tensor.FromArray([0.1f, 0.2f], [2], requiresGrad: true);
        Ops.Sum(Ops.PRelu(x, alpha)).Backward();
        Near([-3f, -4f], alpha.Grad!); // channel 0: −2 + −1; channel 1: only −4 (3 is positive)
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndInvertedInTraining()
    {
        var x = Tensor.Full([10000], 2f, requiresGrad: true);
        Assert.Same(x, Ops.Dropout(x, 0.5f, training: false, new Rng(1)));
        var y = Ops.Dropout(x, 0.5f, training: true, new Rng(1));
        int kept = 0;
        foreach (float v in y.Span)
        {
            Assert.True(v == 0f || v == 4f, $"dropout output {v} is neither 0 nor x/(1 − p) = 4");
            if (v != 0f) kept++;
        }
        // Binomial(10000, 0.5): the standard deviation is 50, so ±500 is ten sigmas (and the seed is fixed).
        Assert.InRange(kept, 4500, 5500);
        Ops.Sum(y).Backward();
        var g = x.Grad!.Span;
        for (int i = 0; i < g.Length; i++) Assert.Equal(y.Span[i] == 0f ? 0f : 2f, g[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, 1f, true, new Rng(1)));
    }

    [Fact]
    public void DiceNormalisesWithBatchStatisticsAndUpdatesRunningBuffers()
    {
        // x = [1, 3]: mean 2, biased variance 1, x̂ = [−1, 1], p = sigmoid(x̂) = [0.2689414, 0.7310586].
        // y = x · (α + (1 − α) p) with α = 0.5: 1 · 0.6344707 and 3 · 0.8655293.
        var x = Tensor.FromArray([1f, 3f], [2, 1]);
        var rm = Tensor.Zeros([1]);
        var rv = Tensor.Full([1], 1f);
        var y = Ops.Dice(x, Tensor.FromArray([0.5f], [1]), rm, rv, training: true, momentum: 0.1f, eps: 0f);
        Near([0.6344707f, 2.5965879f], y);
        Assert.Equal(0.2f, rm.Span[0], 5);          // 0.9 · 0 + 0.1 · 2
        Assert.Equal(1.1f, rv.Span[0], 5);          // 0.9 · 1 + 0.1 · (1 · 2/1 unbiased)
        // Evaluation uses the running buffers and leaves them alone: x̂ = (1 − 0.2)/sqrt(1.1) = 0.7627701.
        var e = Ops.Dice(Tensor.FromArray([1f], [1, 1]), Tensor.FromArray([0.5f], [1]), rm, rv, training: false, eps: 0f);
        Near([0.5f + 0.5f / (1f + MathF.Exp(-0.7627701f))], e);
        Assert.Equal(0.2f, rm.Span[0], 5);
    }

    [Fact]
    public void SoftmaxMatchesHandValuesWithAndWithoutMask()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 1f, 2f, 3f], [2, 3]);
        Near([0.0900306f, 0.2447285f, 0.6652410f, 0.0900306f, 0.2447285f, 0.6652410f], Ops.Softmax(x));
        // Row mask broadcast over the leading axis: the third position is dropped in both rows.
        var keepTwo = MaskTensor.FromBools([true, true, false], [3]);
        Near([0.2689414f, 0.7310586f, 0f, 0.2689414f, 0.7310586f, 0f], Ops.Softmax(x, keepTwo));
        // A (2, 1) mask drops the whole second row: all zeros, not NaN.
        var dropRow = MaskTensor.FromBools([true, false], [2, 1]);
        Near([0.0900306f, 0.2447285f, 0.6652410f, 0f, 0f, 0f], Ops.Softmax(x, dropRow));
        Assert.Throws<ArgumentException>(() => Ops.Softmax(x, MaskTensor.FromBools([true, false], [2])));
    }

    [Fact]
    public void LogSoftmaxIsLogOfSoftmaxAndMasksToMinusInfinity()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], [1, 3]);
        Near([-2.4076059f, -1.4076059f, -0.4076059f], Ops.LogSoftmax(x));
        var y = Ops.LogSoftmax(x, MaskTensor.FromBools([true, true, false], [1, 3]));
        Near([-1.3132617f, -0.3132617f, float.NegativeInfinity], y);
    }
}
