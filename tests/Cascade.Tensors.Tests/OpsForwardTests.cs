using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>Forward values of elementwise, reduction, shape, indexing and normalisation ops against hand-computed numbers.</summary>
public class OpsForwardTests
{
    private static void Near(float[] expected, Tensor actual, float tol = 1e-5f)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(MathF.Abs(expected[i] - a[i]) <= tol || expected[i] == a[i], $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    private static Tensor T(float[] v, params int[] shape) => Tensor.FromArray(v, shape);

    [Fact]
    public void SubAndDivBroadcastRowsAndColumns()
    {
        var a = T([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Near([0f, 0f, 0f, 3f, 3f, 3f], Ops.Sub(a, T([1f, 2f, 3f], 3)));
        Near([1f, 2f, 3f, 2f, 2.5f, 3f], Ops.Div(a, T([1f, 2f], 2, 1)));
        Near([-1f, -2f, -3f, -4f, -5f, -6f], Ops.Neg(a));
        Assert.Throws<ArgumentException>(() => Ops.Sub(a, T([1f, 2f], 2)));
    }

    [Fact]
    public void OperatorsCallTheOps()
    {
        var a = T([1f, 2f], 2);
        var b = T([4f, 8f], 2);
        Near([5f, 10f], a + b);
        Near([-3f, -6f], a - b);
        Near([4f, 16f], a * b);
        Near([0.25f, 0.25f], a / b);
        Near([-1f, -2f], -a);
        Near([3f, 4f], a + 2f);
        Near([3f, 4f], 2f + a);
        Near([0f, 1f], a - 1f);
        Near([0f, -1f], 1f - a);
        Near([3f, 6f], a * 3f);
        Near([3f, 6f], 3f * a);
        Near([0.5f, 1f], a / 2f);
        Near([2f, 1f], 2f / a);
    }

    [Fact]
    public void UnaryMathMatchesFormulas()
    {
        var x = T([0.25f, 1f, 4f], 3);
        Near([1.2840254f, 2.7182817f, 54.59815f], Ops.Exp(x), 1e-4f);
        Near([-1.3862944f, 0f, 1.3862944f], Ops.Log(x));
        Near([0.5f, 1f, 2f], Ops.Sqrt(x));
        Near([0.015625f, 1f, 64f], Ops.Pow(x, 3f));
        Near([0.0625f, 1f, 16f], Ops.Pow(x, 2f));
        Near([2f, 1f, 0.5f], Ops.Pow(x, -0.5f));
        Near([2f, 0f, 3f], Ops.Abs(T([-2f, 0f, 3f], 3)));
        Near([-1f, 0.5f, 2f], Ops.Clamp(T([-5f, 0.5f, 7f], 3), -1f, 2f));
        Assert.Throws<ArgumentException>(() => Ops.Clamp(x, 2f, 1f));
    }

    [Fact]
    public void ClampAndAbsCutGradientsWhereExpected()
    {
        var x = T([-5f, 0.5f, 7f], 3);
        x.RequiresGrad = true;
        Ops.Sum(Ops.Clamp(x, -1f, 2f)).Backward();
        Near([0f, 1f, 0f], x.Grad!);
        var z = Tensor.FromArray([-2f, 0f, 3f], [3], requiresGrad: true);
        Ops.Sum(Ops.Abs(z)).Backward();
        Near([-1f, 0f, 1f], z.Grad!);
    }

    [Fact]
    public void SumMeanOverAxes()
    {
        var x = T([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f], 2, 3, 2);
        Near([9f, 12f, 27f, 30f], Ops.Sum(x, 1));
        Near([3f, 7f, 11f, 15f, 19f, 23f], Ops.Sum(x, -1));
        var s = Ops.Sum(x, [0, 2], keepDim: true);
        Assert.Equal([1, 3, 1], s.ShapeArray);
        Near([1f + 2f + 7f + 8f, 3f + 4f + 9f + 10f, 5f + 6f + 11f + 12f], s);
        Near([6.5f], Ops.Mean(x, [0, 1, 2]));
        Near([4f, 5f, 6f, 7f, 8f, 9f], Ops.Mean(x, 0));
        Assert.Throws<ArgumentException>(() => Ops.Sum(x, [1, -2]));
    }

    [Fact]
    public void MaxMinRouteGradientToFirstArgOnTies()
    {
        var x = Tensor.FromArray([1f, 3f, 3f, 5f, 2f, 5f], [2, 3], requiresGrad: true);
        var m = Ops.Max(x, 1);
        Near([3f, 5f], m);
        Ops.Sum(m).Backward();
        Near([0f, 1f, 0f, 1f, 0f, 0f], x.Grad!);
        Near([1f, 2f], Ops.Min(x, -1));
        Near([5f, 3f, 5f], Ops.Max(x, 0));
        Near([5f], Ops.Max(x, [0, 1]));
        Assert.Equal([1, 0], Ops.ArgMax(x).Data);
        Assert.Equal([0, 1], Ops.ArgMin(x).Data);
        var am = Ops.ArgMax(x, 0, keepDim: true);
        Assert.Equal([1, 3], am.Shape.ToArray());
        Assert.Equal([1, 0, 1], am.Data);
    }

    [Fact]
    public void ConcatSplitAndSlice()
    {
        var a = T([1f, 2f, 3f, 4f], 2, 2);
        var b = T([5f, 6f], 2, 1);
        var c = Ops.Concat([a, b], 1);
        Assert.Equal([2, 3], c.ShapeArray);
        Near([1f, 2f, 5f, 3f, 4f, 6f], c);
        Near([1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f], Ops.Concat([a, a], 0));
        var parts = Ops.Split(c, [1, 2], 1);
        Near([1f, 3f], parts[0]);
        Near([2f, 5f, 4f, 6f], parts[1]);
        Near([2f, 5f, 4f, 6f], Ops.Slice(c, -1, 1, 2));
        Assert.Throws<ArgumentException>(() => Ops.Split(c, [1, 1], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(c, 1, 2, 2));
        Assert.Throws<ArgumentException>(() => Ops.Concat([a, T([1f, 2f, 3f], 3, 1)], 1));
    }

    [Fact]
    public void LeadingAxisSliceIsAView()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], [4, 2], requiresGrad: true);
        var s = Ops.Slice(x, 0, 1, 2);
        Assert.Same(x.Buffer, s.Buffer);
        Assert.Equal(2, s.Offset);
        Near([2f, 3f, 4f, 5f], s);
        x[2, 0] = 40f; // writes through the shared storage
        Assert.Equal(40f, s[1, 0]);
        Ops.Sum(s).Backward();
        Near([0f, 0f, 1f, 1f, 1f, 1f, 0f, 0f], x.Grad!);
        var parts = Ops.Split(x, [3, 1], 0);
        Assert.Same(x.Buffer, parts[1].Buffer);
        Assert.Equal(6, parts[1].Offset);
    }

    [Fact]
    public void PermuteTransposeSqueezeBroadcast()
    {
        var x = T([0f, 1f, 2f, 3f, 4f, 5f], 1, 2, 3);
        var p = Ops.Permute(x, [2, 0, 1]);
        Assert.Equal([3, 1, 2], p.ShapeArray);
        Near([0f, 3f, 1f, 4f, 2f, 5f], p);
        var t = Ops.Transpose(x, 1, 2);
        Assert.Equal([1, 3, 2], t.ShapeArray);
        Near([0f, 3f, 1f, 4f, 2f, 5f], t);
        Assert.Equal([2, 3], Ops.Squeeze(x).ShapeArray);
        Assert.Equal([2, 3], Ops.Squeeze(x, 0).ShapeArray);
        Assert.Equal([1, 2, 1, 3], Ops.Unsqueeze(x, 2).ShapeArray);
        Assert.Equal([1, 2, 3, 1], Ops.Unsqueeze(x, -1).ShapeArray);
        Assert.Throws<ArgumentException>(() => Ops.Squeeze(x, 1));
        Assert.Throws<ArgumentException>(() => Ops.Permute(x, [0, 0, 1]));
        Near([1f, 2f, 1f, 2f, 1f, 2f], Ops.BroadcastTo(T([1f, 2f], 2), [3, 2]));
        Assert.Throws<ArgumentException>(() => Ops.BroadcastTo(T([1f, 2f], 2), [2, 3]));
    }

    [Fact]
    public void IndexSelectGatherScatterAdd()
    {
        var table = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [3, 2], requiresGrad: true);
        var rows = Ops.IndexSelect(table, 0, new IntTensor([2, 0, 2], [3]));
        Near([5f, 6f, 1f, 2f, 5f, 6f], rows);
        Ops.Sum(rows).Backward();
        Near([1f, 1f, 0f, 0f, 2f, 2f], table.Grad!); // row 2 picked twice
        var cols = Ops.IndexSelect(table, 1, new IntTensor([1, 1, 0, 0], [2, 2]));
        Assert.Equal([3, 2, 2], cols.ShapeArray);
        Near([2f, 2f, 1f, 1f, 4f, 4f, 3f, 3f, 6f, 6f, 5f, 5f], cols);
        var logits = T([0.1f, 0.2f, 0.7f, 0.5f, 0.3f, 0.2f], 2, 3);
        Near([0.7f, 0.5f], Ops.Gather(logits, 1, new IntTensor([2, 0], [2, 1])));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndexSelect(table, 0, IntTensor.FromArray([1, 3])));
        Assert.Contains("index 3 at position 1", e.Message);
        Assert.Throws<ArgumentException>(() => Ops.Gather(logits, 1, new IntTensor([0, 0, 0], [3, 1])));
    }

    [Fact]
    public void WhereAndMaskedFill()
    {
        var a = T([1f, 2f, 3f, 4f], 2, 2);
        var b = T([-1f], 1);
        Near([1f, -1f, -1f, 4f], Ops.Where(MaskTensor.FromBools([true, false, false, true], [2, 2]), a, b));
        Near([1f, 2f, -1f, -1f], Ops.Where(MaskTensor.FromBools([true, false], [2, 1]), a, b));
        Near([1f, 9f, 3f, 9f], Ops.MaskedFill(a, MaskTensor.FromBools([false, true], [2]), 9f));
        Assert.Throws<ArgumentException>(() => Ops.MaskedFill(a, MaskTensor.FromBools([false, true, true], [3]), 0f));
    }

    [Fact]
    public void NormalizeCosineAndBatchedDot()
    {
        Near([0.6f, 0.8f, 0f, 0f], Ops.L2Normalize(T([3f, 4f, 0f, 0f], 2, 2))); // zero row stays zero (norm floored at eps)
        Near([0.6f, 1f, 0.8f, 0f], Ops.L2Normalize(T([3f, 5f, 4f, 0f], 2, 2), 0));
        var a = T([1f, 0f, 1f, 1f], 2, 2);
        var b = T([1f, 1f, 2f, 2f], 2, 2);
        Near([1f, 4f], Ops.BatchedDot(a, b));
        Near([3f, 2f], Ops.BatchedDot(a, b, 0));
        Near([0.7071068f, 1f], Ops.CosineSimilarity(a, b));
        Assert.Throws<ArgumentException>(() => Ops.BatchedDot(a, T([1f, 2f], 1, 2)));
    }
}
