using Cascade.Kernels;

namespace Cascade.Tensors.Tests;

public class LinearEmbeddingTests
{
    private static void Near(float[] expected, float[] actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    private static Tensor Table() => Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], [4, 2], requiresGrad: true);

    [Fact]
    public void LinearForwardAndBiasGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], [2, 2]);
        var w = Tensor.FromArray([1f, 0f, 0f, 1f, 1f, 1f], [3, 2], requiresGrad: true);
        var b = Tensor.FromArray([0.5f, -1f, 0f], [3], requiresGrad: true);
        var y = Ops.Linear(x, w, b);
        Assert.Equal([2, 3], y.ShapeArray);
        Near([1.5f, 1f, 3f, 3.5f, 3f, 7f], y.ToArray());
        Ops.Sum(y).Backward();
        Near([2f, 2f, 2f], b.Grad!.ToArray());
        Near([4f, 6f, 4f, 6f, 4f, 6f], w.Grad!.ToArray()); // dW[o, :] = Σ_rows x
    }

    [Fact]
    public void LinearFlattensLeadingAxes()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [3, 1, 2]);
        var w = Tensor.FromArray([1f, -1f], [1, 2]);
        var y = Ops.Linear(x, w, null);
        Assert.Equal([3, 1, 1], y.ShapeArray);
        Near([-1f, -1f, -1f], y.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.Linear(x, Tensor.Zeros([1, 3]), null));
        var v = Ops.Linear(Tensor.FromArray([2f, 3f], [2]), w, Tensor.FromArray([1f], [1]));  // a single vector
        Assert.Equal([1], v.ShapeArray);
        Near([0f], v.ToArray());
    }

    [Fact]
    public void EmbeddingGathersPadsAndScatters()
    {
        var table = Table();
        var y = Ops.Embedding(table, new IntTensor([1, 3, -1, 1], [2, 2]));
        Assert.Equal([2, 2, 2], y.ShapeArray);
        Near([2f, 3f, 6f, 7f, 0f, 0f, 2f, 3f], y.ToArray());
        Ops.Sum(y).Backward();
        Near([0f, 0f, 2f, 2f, 0f, 0f, 1f, 1f], table.Grad!.ToArray());
        var rows = table.TouchedRows!;
        Assert.False(rows.All);
        Assert.Equal([1, 3], rows.Rows.ToArray());
        Assert.True(rows.Contains(3));
        Assert.False(rows.Contains(0));
    }

    [Fact]
    public void EmbeddingRejectsOutOfRangeIdNamingItsPosition()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Embedding(Table(), new IntTensor([1, 2, 4, 0], [2, 2])));
        Assert.Contains("id 4", ex.Message);
        Assert.Contains("[1, 0]", ex.Message);
        Assert.Contains("[0, 4)", ex.Message);
        Assert.Throws<ArgumentException>(() => Ops.Embedding(Table(), IntTensor.FromArray([-1]), paddingId: 0));
    }

    [Fact]
    public void ZeroGradClearsTouchedRowsOnlyAndEmptiesTheSet()
    {
        var table = Table();
        Ops.Sum(Ops.Embedding(table, IntTensor.FromArray([2, 2, 0]))).Backward();
        Assert.Equal([2, 0], table.TouchedRows!.Rows.ToArray());
        Near([1f, 1f, 0f, 0f, 2f, 2f, 0f, 0f], table.Grad!.ToArray());
        table.ZeroGrad();
        Assert.Equal(0, table.TouchedRows.Count);
        Assert.All(table.Grad.ToArray(), v => Assert.Equal(0f, v));
        // A second step sees only its own rows.
        Ops.Sum(Ops.Embedding(table, IntTensor.FromArray([1]))).Backward();
        Assert.Equal([1], table.TouchedRows.Rows.ToArray());
    }

    [Fact]
    public void DenseUseOfATableMarksAllRows()
    {
        var table = Table();
        var e = Ops.Embedding(table, IntTensor.FromArray([0]));          // (1, 2)
        var tied = Ops.MatMul(e, Ops.Reshape(table, [2, 4]));            // dense gradient into the table
        Ops.Sum(tied).Backward();
        Assert.True(table.TouchedRows!.All);
        table.ZeroGrad();
        Assert.False(table.TouchedRows.All);
        Assert.All(table.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TouchedRowsSetIsConservativeAboutEarlierDenseGradients()
    {
        var table = Table();
        Ops.Sum(Ops.Mul(table, table)).Backward();                       // dense gradient before any lookup
        Ops.Sum(Ops.Embedding(table, IntTensor.FromArray([1]))).Backward();
        Assert.True(table.TouchedRows!.All);
    }

    [Theory]
    [InlineData(BagMode.Sum, new[] { 2f, 4f, 0f, 0f, 16f, 19f })]
    [InlineData(BagMode.Mean, new[] { 1f, 2f, 0f, 0f, 16f / 3f, 19f / 3f })]
    [InlineData(BagMode.Max, new[] { 2f, 3f, 0f, 0f, 6f, 7f })]
    public void EmbeddingBagPoolsEachBag(BagMode mode, float[] expected)
    {
        var table = Table();
        var ids = IntTensor.FromArray([0, 1, 2, 3, 3]);
        var y = Ops.EmbeddingBag(table, ids, IntTensor.FromArray([0, 2, 2, 5]), mode);
        Assert.Equal([3, 2], y.ShapeArray);
        Near(expected, y.ToArray());
        var byLengths = Ops.EmbeddingBagByLengths(table, ids, IntTensor.FromArray([2, 0, 3]), mode);
        Near(expected, byLengths.ToArray());
        Ops.Sum(y).Backward();
        int[] touched = mode == BagMode.Max ? [1, 3] : [0, 1, 2, 3];
        Assert.Equal(touched, table.TouchedRows!.Rows.ToArray().Order().ToArray());
        if (mode == BagMode.Mean) Near([0.5f, 0.5f, 0.5f, 0.5f, 1f / 3f, 1f / 3f, 2f / 3f, 2f / 3f], table.Grad!.ToArray());
    }

    [Fact]
    public void EmbeddingBagSkipsPaddingInMeanCount()
    {
        var y = Ops.EmbeddingBag(Table(), IntTensor.FromArray([1, 0, 3]), IntTensor.FromArray([0, 3]), BagMode.Mean, paddingId: 0);
        Near([4f, 5f], y.ToArray());
    }

    [Fact]
    public void EmbeddingBagValidatesOffsets()
    {
        var ids = IntTensor.FromArray([0, 1, 2]);
        Assert.Contains("offsets[0]", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(Table(), ids, IntTensor.FromArray([1, 3]))).Message);
        Assert.Contains("id count 3", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(Table(), ids, IntTensor.FromArray([0, 2]))).Message);
        Assert.Contains("non-decreasing", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(Table(), ids, IntTensor.FromArray([0, 2, 1, 3]))).Message);
        Assert.Contains("sum to 2", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBagByLengths(Table(), ids, IntTensor.FromArray([1, 1]))).Message);
        Assert.Contains("id 9", Assert.Throws<ArgumentException>(() => Ops.EmbeddingBag(Table(), IntTensor.FromArray([0, 9]), IntTensor.FromArray([0, 2]))).Message);
    }
}
