using System.Numerics.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>
/// The fused training ops of docs/design/fused-ops.md ("Training-step fusions") against the composite ops they
/// replace: same values, same gradients, same random stream.
/// </summary>
public class FusedTrainingOpsTests
{
    [Theory]
    [InlineData(5, 6, 32)]  // DeepFM on MovieLens: F = 6, D = 32 (two 512-bit chunks)
    [InlineData(4, 3, 21)]  // 16 + 5 (or 8 + 8 + 5): vector body plus scalar tail
    [InlineData(3, 1, 3)]   // one field: the term is 0 for every row
    [InlineData(0, 6, 32)]  // empty batch
    public void FactorizationMachineMatchesTheCompositeForm(int batch, int fields, int dim)
    {
        var e1 = Tensor.Uniform([batch, fields, dim], 7, -1f, 1f, requiresGrad: true);
        var e2 = Tensor.FromArray(e1.ToArray(), [batch, fields, dim], requiresGrad: true);
        var w = Tensor.Uniform([batch], 8, -2f, 2f);
        var fused = Ops.FactorizationMachine(e1);
        var sum = Ops.Sum(e2, 1);
        var composite = Ops.Mul(Ops.Sum(Ops.Sub(Ops.Mul(sum, sum), Ops.Sum(Ops.Mul(e2, e2), 1)), 1), 0.5f);
        Assert.Equal([batch], fused.Shape.ToArray());
        var a = fused.ToArray();
        var b = composite.ToArray();
        for (int i = 0; i < batch; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f * (1f + Math.Abs(b[i])), $"row {i}: fused {a[i]} vs composite {b[i]}");
        if (fields == 1) Assert.All(a, v => Assert.Equal(0f, v, 1e-6f));
        if (batch == 0) return;
        Ops.Sum(Ops.Mul(fused, w)).Backward();
        Ops.Sum(Ops.Mul(composite, w)).Backward();
        var g1 = e1.Grad!.ToArray();
        var g2 = e2.Grad!.ToArray();
        for (int i = 0; i < g1.Length; i++) Assert.True(Math.Abs(g1[i] - g2[i]) <= 1e-5f * (1f + Math.Abs(g2[i])), $"grad {i}: fused {g1[i]} vs composite {g2[i]}");
    }

    [Fact]
    public void FactorizationMachineNamesABadShape()
    {
        var e = Tensor.Zeros([4, 6]);
        var ex = Assert.Throws<ArgumentException>(() => Ops.FactorizationMachine(e));
        Assert.Contains("(B, F, D)", ex.Message);
    }

    [Theory]
    [InlineData(0.1f, 256 * 300 + 7)] // odd length: the last element takes one extra draw
    [InlineData(0.5f, 1000)]
    public void ReluDropoutEqualsReluThenDropoutBitForBit(float p, int n)
    {
        var x1 = Tensor.Uniform([n], 3, -1f, 1f, requiresGrad: true);
        var x2 = Tensor.FromArray(x1.ToArray(), [n], requiresGrad: true);
        var g = Tensor.Uniform([n], 4, -1f, 1f);
        var fused = Ops.ReluDropout(x1, p, training: true, new Rng(42));
        var composite = Ops.Dropout(Ops.Relu(x2), p, training: true, new Rng(42));
        Assert.Equal(composite.ToArray(), fused.ToArray());
        Ops.Sum(Ops.Mul(fused, g)).Backward();
        Ops.Sum(Ops.Mul(composite, g)).Backward();
        Assert.Equal(x2.Grad!.ToArray(), x1.Grad!.ToArray());
    }

    [Fact]
    public void ReluDropoutInEvaluationIsRelu()
    {
        var x = Tensor.FromArray([-1f, 0f, 2f], [3]);
        Assert.Equal([0f, 0f, 2f], Ops.ReluDropout(x, 0.3f, training: false, new Rng(1)).ToArray());
        Assert.Equal([0f, 0f, 2f], Ops.ReluDropout(x, 0f, training: true, new Rng(1)).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ReluDropout(x, 1f, true, new Rng(1)));
    }

    [Fact]
    public void DropoutMaskIsTheDocumentedStream()
    {
        // Two 32-bit halves of each 64-bit draw, low half first; a drop when the half is below p · 2³².
        const float p = 0.25f;
        const int n = 1001;
        var y = Ops.Dropout(Tensor.Full([n], 1f), p, training: true, new Rng(9)).ToArray();
        var rng = new Rng(9);
        uint threshold = (uint)(p * 4294967296.0);
        var expected = new float[n];
        for (int i = 0; i < n; i += 2)
        {
            ulong bits = rng.NextUInt64();
            expected[i] = (uint)bits < threshold ? 0f : 1f / (1f - p);
            if (i + 1 < n) expected[i + 1] = (uint)(bits >> 32) < threshold ? 0f : 1f / (1f - p);
        }
        Assert.Equal(expected, y);
        // The generator continues from where the mask left it.
        var after = new Rng(9);
        for (int i = 0; i < (n + 1) / 2; i++) after.NextUInt64();
        var r = new Rng(9);
        Ops.Dropout(Tensor.Full([n], 1f), p, training: true, r);
        Assert.Equal(after.NextUInt64(), r.NextUInt64());
    }

    [Theory]
    [InlineData(256, 300, true)]  // a DSSM tower layer: 18 × 16 + 12 channels (vector body and tail)
    [InlineData(5, 7, false)]     // scalar tail only, no affine
    public void BatchNormRowKernelsAreBitIdenticalToThePerCallForm(int n, int c, bool affine)
    {
        // The per-row TensorPrimitives sequence the fused kernels replaced, element for element.
        var x = Tensor.Uniform([n, c], 11, -2f, 2f).ToArray();
        var g = Tensor.Uniform([n, c], 12, -1f, 1f).ToArray();
        var mean = Tensor.Uniform([c], 13, -0.5f, 0.5f).ToArray();
        var rstd = Tensor.Uniform([c], 14, 0.5f, 2f).ToArray();
        var gain = affine ? Tensor.Uniform([c], 15, 0.5f, 1.5f).ToArray() : [];
        var bias = affine ? Tensor.Uniform([c], 16, -0.5f, 0.5f).ToArray() : [];
        var sumG = Tensor.Uniform([c], 17, -1f, 1f).ToArray();
        var sumGh = Tensor.Uniform([c], 18, -1f, 1f).ToArray();
        var scale = Tensor.Uniform([c], 19, 0.1f, 2f).ToArray();
        float[] h1 = new float[n * c], y1 = new float[n * c], h2 = new float[n * c], y2 = new float[n * c];
        float[] dx1 = Tensor.Uniform([n, c], 20, -1f, 1f).ToArray(), dx2 = (float[])dx1.Clone(), tmp = new float[c];
        Kernels.BatchNormKernels.Forward(x, mean, rstd, gain, bias, n, c, h1, y1);
        Kernels.BatchNormKernels.BackwardTraining(g, h1, sumG, sumGh, scale, n, c, dx1);
        for (int r = 0; r < n; r++)
        {
            var hr = h2.AsSpan(r * c, c);
            var yr = y2.AsSpan(r * c, c);
            TensorPrimitives.Subtract(x.AsSpan(r * c, c), mean, hr);
            TensorPrimitives.Multiply(hr, rstd, hr);
            if (affine) TensorPrimitives.Multiply(hr, gain, yr); else hr.CopyTo(yr);
            if (affine) TensorPrimitives.Add(yr, bias, yr);
            var gxr = dx2.AsSpan(r * c, c);
            TensorPrimitives.MultiplyAdd(hr, sumGh, g.AsSpan(r * c, c), tmp);
            TensorPrimitives.Subtract(tmp, sumG, tmp);
            TensorPrimitives.MultiplyAdd(tmp, scale, gxr, gxr);
        }
        Assert.Equal(h2, h1);
        Assert.Equal(y2, y1);
        Assert.Equal(dx2, dx1);
    }
}
