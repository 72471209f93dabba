namespace Cascade.Tensors.Tests;

public class NormTests
{
    private static void Near(float[] expected, float[] actual, float tol = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void LayerNormNormalisesEachRow()
    {
        // Row [1, 2, 3, 4]: mean 2.5, variance 1.25, 1/√1.25 = 0.894427.
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 5f, 5f, 5f], [2, 4]);
        var y = Ops.LayerNorm(x, Tensor.FromArray([1f, 2f, 1f, 1f], [4]), Tensor.FromArray([0f, 0f, 1f, 0f], [4]));
        Near([-1.341635f, -0.894427f, 1.447214f, 1.341635f, 0f, 0f, 1f, 0f], y.ToArray());
    }

    [Fact]
    public void BatchNormTrainingUsesBatchStatisticsAndUpdatesRunningBuffers()
    {
        // Channel [1, 2, 3, 6]: mean 3, biased variance 3.5, unbiased 14/3.
        var x = Tensor.FromArray([1f, 2f, 3f, 6f], [4, 1]);
        var mean = Tensor.Zeros([1]);
        var variance = Tensor.Full([1], 1f);
        var y = Ops.BatchNorm(x, null, null, mean, variance, training: true, momentum: 0.1f, eps: 0f);
        Near([-1.069045f, -0.534522f, 0f, 1.603567f], y.ToArray());
        Near([0.3f], mean.ToArray());
        Near([0.9f + 0.1f * 14f / 3f], variance.ToArray());
        var eval = Ops.BatchNorm(x, Tensor.FromArray([2f], [1]), Tensor.FromArray([1f], [1]), mean, variance, training: false, eps: 0f);
        float r = 1f / MathF.Sqrt(0.9f + 0.1f * 14f / 3f);
        Near([2f * 0.7f * r + 1f, 2f * 1.7f * r + 1f, 2f * 2.7f * r + 1f, 2f * 5.7f * r + 1f], eval.ToArray());
        Near([0.3f], mean.ToArray()); // evaluation leaves the buffers alone
    }

    [Fact]
    public void BatchNormThreeDimensionalPoolsBatchAndLength()
    {
        var x = Tensor.FromArray([0f, 10f, 2f, 10f, 4f, 10f, 6f, 10f], [2, 2, 2]); // channel 0: 0,2,4,6; channel 1: 10s
        var y = Ops.BatchNorm(x, null, null, Tensor.Zeros([2]), Tensor.Full([2], 1f), training: true);
        float r = 1f / MathF.Sqrt(5f);
        Near([-3f * r, 0f, -1f * r, 0f, 1f * r, 0f, 3f * r, 0f], y.ToArray());
    }

    [Fact]
    public void BatchNormRejectsBadShapes()
    {
        Assert.Throws<ArgumentException>(() => Ops.BatchNorm(Tensor.Zeros([1, 3]), null, null, Tensor.Zeros([3]), Tensor.Zeros([3]), training: true));
        Assert.Throws<ArgumentException>(() => Ops.BatchNorm(Tensor.Zeros([4, 3]), null, null, Tensor.Zeros([2]), Tensor.Zeros([3]), training: false));
    }
}
