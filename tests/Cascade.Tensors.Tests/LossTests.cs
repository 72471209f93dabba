namespace Cascade.Tensors.Tests;

public class LossTests
{
    private static void Near(float expected, float actual, float tol = 1e-5f) =>
        Assert.True(MathF.Abs(expected - actual) <= tol, $"expected {expected}, got {actual}");

    private static void Near(float[] expected, float[] actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Near(expected[i], actual[i], tol);
    }

    private static void AllFinite(Tensor t) => Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v), $"non-finite {v}"));

    [Fact]
    public void BceMatchesHandComputedValues()
    {
        // ℓ(0, 1) = ln 2; ℓ(2, 0) = 2 + ln(1 + e⁻²); ℓ(−1, 1) = 1 + ln(1 + e⁻¹).
        var x = Tensor.FromArray([0f, 2f, -1f], [3], requiresGrad: true);
        var y = Tensor.FromArray([1f, 0f, 1f], [3]);
        var loss = Ops.BinaryCrossEntropyWithLogits(x, y);
        Near((0.693147f + 2.126928f + 1.313262f) / 3f, loss.Item());
        loss.Backward();
        Near([-0.5f / 3f, 0.880797f / 3f, (0.268941f - 1f) / 3f], x.Grad!.ToArray());
        var weighted = Ops.BinaryCrossEntropyWithLogits(x, y, Tensor.FromArray([1f, 0.5f, 2f], [3]), LossReduction.Sum);
        Near(0.693147f + 0.5f * 2.126928f + 2f * 1.313262f, weighted.Item());
    }

    [Fact]
    public void BceIsFiniteForExtremeLogits()
    {
        var x = Tensor.FromArray([100f, -100f, 100f, -100f], [4], requiresGrad: true);
        var loss = Ops.BinaryCrossEntropyWithLogits(x, Tensor.FromArray([1f, 0f, 0f, 1f], [4]));
        Near(50f, loss.Item(), 1e-3f);
        loss.Backward();
        AllFinite(x.Grad!);
        Near([0f, 0f, 0.25f, -0.25f], x.Grad!.ToArray());
    }

    [Fact]
    public void BceRejectsMismatchedLabels() =>
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => Ops.BinaryCrossEntropyWithLogits(Tensor.Zeros([3]), Tensor.Zeros([4]))).Message);

    [Fact]
    public void MseMatchesHandComputedValues()
    {
        var p = Tensor.FromArray([1f, 2f, 3f], [3], requiresGrad: true);
        var t = Tensor.FromArray([0f, 2f, 5f], [3]);
        var loss = Ops.Mse(p, t);
        Near(5f / 3f, loss.Item());
        loss.Backward();
        Near([2f / 3f, 0f, -4f / 3f], p.Grad!.ToArray());
        Near(4f, Ops.Mse(p, t, Tensor.FromArray([2f, 1f, 0.5f], [3]), LossReduction.Sum).Item());
    }

    [Fact]
    public void MseIsFiniteForExtremeValues()
    {
        var p = Tensor.FromArray([100f, -100f], [2], requiresGrad: true);
        var t = Tensor.FromArray([-100f, 100f], [2], requiresGrad: true);
        var loss = Ops.Mse(p, t);
        Near(40000f, loss.Item(), 1e-2f);
        loss.Backward();
        Near([200f, -200f], p.Grad!.ToArray(), 1e-3f);
        Near([-200f, 200f], t.Grad!.ToArray(), 1e-3f);
    }

    [Fact]
    public void PairwiseLogisticMatchesHandComputedValuesAndStaysFinite()
    {
        var pos = Tensor.FromArray([2f, 0f], [2], requiresGrad: true);
        var neg = Tensor.FromArray([0f, 0f], [2], requiresGrad: true);
        Near((0.126928f + 0.693147f) / 2f, Ops.PairwiseLogistic(pos, neg).Item());
        var p2 = Tensor.FromArray([100f, -100f], [2], requiresGrad: true);
        var n2 = Tensor.FromArray([-100f, 100f], [2], requiresGrad: true);
        var loss = Ops.PairwiseLogistic(p2, n2);
        Near(100f, loss.Item(), 1e-3f);
        loss.Backward();
        Near([0f, -0.5f], p2.Grad!.ToArray());
        Near([0f, 0.5f], n2.Grad!.ToArray());
    }

    [Fact]
    public void BceMatchesADoublePrecisionReferenceOnALargeBatch()
    {
        const int N = 1000;
        var x = Tensor.Uniform([N], 1, -30f, 30f, requiresGrad: true);
        var y = Tensor.Uniform([N], 2, 0f, 1f);
        var w = Tensor.Uniform([N], 3, 0f, 2f);
        double expected = 0;
        var expectedGrad = new double[N];
        for (int i = 0; i < N; i++)
        {
            double xi = x.Span[i], yi = y.Span[i], wi = w.Span[i];
            expected += wi * (Math.Max(xi, 0) - xi * yi + Math.Log(1 + Math.Exp(-Math.Abs(xi)))) / N;
            expectedGrad[i] = wi * (1 / (1 + Math.Exp(-xi)) - yi) / N;
        }
        var loss = Ops.BinaryCrossEntropyWithLogits(x, y, w);
        Assert.True(Math.Abs(loss.Item() - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"loss {loss.Item()} vs {expected}");
        loss.Backward();
        for (int i = 0; i < N; i++) Assert.True(Math.Abs(x.Grad!.Span[i] - expectedGrad[i]) < 1e-7, $"grad {i}");
    }

    [Fact]
    public void EmptyBatchMeanIsZero() =>
        Assert.Equal(0f, Ops.BinaryCrossEntropyWithLogits(Tensor.Zeros([0]), Tensor.Zeros([0])).Item());
}

public class SoftmaxLossTests
{
    private static void Near(float expected, float actual, float tol = 1e-5f) =>
        Assert.True(MathF.Abs(expected - actual) <= tol, $"expected {expected}, got {actual}");

    [Fact]
    public void SoftmaxCrossEntropyMatchesHandComputedValues()
    {
        var logits = Tensor.FromArray([0f, 0f, 0f, 1f, 2f, 3f], [2, 3], requiresGrad: true);
        var loss = Ops.SoftmaxCrossEntropy(logits, IntTensor.FromArray([1, 2]));
        Near((1.098612f + 0.407606f) / 2f, loss.Item());
        loss.Backward();
        var g = logits.Grad!.ToArray();
        Near(0.090031f / 2f, g[3]);
        Near(0.244728f / 2f, g[4]);
        Near(-0.334759f / 2f, g[5]);
        Assert.Contains("target 3 at row 1", Assert.Throws<ArgumentException>(() => Ops.SoftmaxCrossEntropy(logits, IntTensor.FromArray([0, 3]))).Message);
    }

    [Fact]
    public void SoftmaxCrossEntropyIsFiniteForExtremeLogits()
    {
        var logits = Tensor.FromArray([100f, -100f], [1, 2], requiresGrad: true);
        var loss = Ops.SoftmaxCrossEntropy(logits, IntTensor.FromArray([1]));
        Near(200f, loss.Item(), 1e-3f);
        loss.Backward();
        Near(1f, logits.Grad!.Span[0]);
        Near(-1f, logits.Grad!.Span[1]);
    }

    [Fact]
    public void SampledSoftmaxAppliesLogQAndTemperature()
    {
        var logits = Tensor.FromArray([2f, 1f, 0f], [1, 3]);
        Near(0.407606f, Ops.SampledSoftmax(logits).Item());
        Near(0.224427f, Ops.SampledSoftmax(logits, Tensor.FromArray([0f, MathF.Log(2f), MathF.Log(2f)], [1, 3])).Item());
        Near(0.680268f, Ops.SampledSoftmax(logits, temperature: 2f).Item());
        var user = Tensor.FromArray([1f, 0f], [1, 2]);
        var items = Tensor.FromArray([2f, 0f, 1f, 5f, 0f, 0f], [1, 3, 2]);
        Near(0.407606f, Ops.SampledSoftmax(user, items, null).Item());
    }

    [Fact]
    public void SampledSoftmaxIsFiniteForExtremeLogits()
    {
        var logits = Tensor.FromArray([-100f, 100f, 100f], [1, 3], requiresGrad: true);
        var loss = Ops.SampledSoftmax(logits);
        Near(200f + MathF.Log(2f), loss.Item(), 1e-3f);
        loss.Backward();
        Assert.All(logits.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
        Near(-1f, logits.Grad!.Span[0]);
    }

    [Fact]
    public void InBatchSoftmaxUsesTheDiagonalAsPositiveWithColumnCorrection()
    {
        // Logits = I: each row is [1, 0] up to order → ln(1 + e⁻¹) = 0.313262.
        var u = Tensor.FromArray([1f, 0f, 0f, 1f], [2, 2]);
        Near(0.313262f, Ops.InBatchSampledSoftmax(u, u).Item());
        // logQ = [ln 2, 0] lowers column 0: row 0 → lse(1 − ln 2, 0) − (1 − ln 2) = 0.551444,
        // row 1 → lse(−ln 2, 1) − 1 = 0.168846.
        Near((0.551444f + 0.168846f) / 2f, Ops.InBatchSampledSoftmax(u, u, Tensor.FromArray([MathF.Log(2f), 0f], [2])).Item());
        // τ = 0.5 doubles the logits but not the correction: row 0 → lse(2, 0) − 2.
        Near(0.126928f, Ops.InBatchSampledSoftmax(u, u, temperature: 0.5f).Item());
        Assert.Throws<ArgumentException>(() => Ops.InBatchSampledSoftmax(u, Tensor.Zeros([3, 2])));
    }

    [Fact]
    public void InBatchSoftmaxIsFiniteForExtremeLogits()
    {
        var u = Tensor.FromArray([10f, -10f, -10f, 10f], [2, 2], requiresGrad: true);
        var v = Tensor.FromArray([-10f, 10f, 10f, -10f], [2, 2], requiresGrad: true);   // positives −200, negatives +200
        var loss = Ops.InBatchSampledSoftmax(u, v);
        Assert.True(float.IsFinite(loss.Item()));
        Near(400f, loss.Item(), 1e-2f);
        loss.Backward();
        Assert.All(u.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.All(v.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void CosineDistanceMatchesHandComputedValuesAndHandlesZeroAndHugeVectors()
    {
        var a = Tensor.FromArray([1f, 0f, 1f, 1f], [2, 2]);
        var b = Tensor.FromArray([0f, 1f, 2f, 2f], [2, 2]);
        Near(0.5f, Ops.CosineDistance(a, b).Item());
        Near(1f, Ops.CosineDistance(a, b, LossReduction.Sum).Item());
        var z = Tensor.FromArray([0f, 0f, 100f, -100f], [2, 2], requiresGrad: true);
        var w = Tensor.FromArray([1f, 2f, -100f, 100f], [2, 2], requiresGrad: true);
        var loss = Ops.CosineDistance(z, w);
        Near((1f + 2f) / 2f, loss.Item());
        loss.Backward();
        Assert.All(z.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(w.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
