using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>Backward() reuses thread-static sort buffers: repeated passes and a Backward() nested in a backward closure stay correct.</summary>
public class BackwardBufferTests
{
    [Fact]
    public void RepeatedPassesAccumulateTheSameGradient()
    {
        var w = Tensor.FromArray([1f, 2f, 3f], [3], requiresGrad: true);
        for (int pass = 1; pass <= 3; pass++)
        {
            var loss = Ops.Sum(Ops.Mul(w, w)); // d/dw = 2w
            loss.Backward();
            Assert.Equal([2f * pass, 4f * pass, 6f * pass], w.Grad!.Span.ToArray());
        }
    }

    [Fact]
    public void BackwardNestedInABackwardClosureGetsItsOwnBuffers()
    {
        var outer = Tensor.FromArray([3f], [1], requiresGrad: true);
        var inner = Tensor.FromArray([5f], [1], requiresGrad: true);
        var y = Tensor.FromArray([0f], [1]);
        y.Record("nested", [outer], g =>
        {
            // A nested pass while the outer sort's buffers are in use: it must not clear or reuse them.
            Ops.Sum(Ops.Mul(inner, inner)).Backward();
            outer.GradForAccumulate()[0] += g.Span[0];
        });
        var loss = Ops.Sum(Ops.Mul(y, Tensor.FromArray([2f], [1])));
        loss.Backward();
        Assert.Equal(2f, outer.Grad!.Span[0]);
        Assert.Equal(10f, inner.Grad!.Span[0]);
    }
}
