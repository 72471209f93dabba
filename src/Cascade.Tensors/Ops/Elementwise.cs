using System.Numerics.Tensors;

namespace Cascade.Tensors;

/// <summary>Differentiable tensor operations. Each op's forward and backward live together in one file under Ops/.</summary>
public static partial class Ops
{
    /// <summary>Applies a broadcasting binary op row by row: contiguous rows go through span kernels.</summary>
    internal static Tensor BroadcastBinary(Tensor a, Tensor b,
        TensorPrimitivesBinary rowRow, TensorPrimitivesScalarRight rowScalar, TensorPrimitivesScalarLeft scalarRow, Func<float, float, float> scalar)
    {
        if (a.SameShape(b))
        {
            var same = Tensor.Empty(a.ShapeRef);
            rowRow(a.Span, b.Span, same.Span);
            return same;
        }
        var shape = ShapeUtil.BroadcastShapes(a.Shape, b.Shape);
        var y = Tensor.Empty(shape);
        var aS = Broadcasting.AlignedStrides(a.Shape, shape);
        var bS = Broadcasting.AlignedStrides(b.Shape, shape);
        int inner = shape.Length == 0 ? 1 : shape[^1];
        float[] ad = a._data, bd = b._data, yd = y._data;
        int ao = a._offset, bo = b._offset;
        int aIn = shape.Length == 0 ? 0 : aS[^1], bIn = shape.Length == 0 ? 0 : bS[^1];
        Broadcasting.ForEachRow(shape, aS, bS, (yOff, aOff, bOff) =>
        {
            var dst = yd.AsSpan(yOff, inner);
            if (aIn == 1 && bIn == 1) rowRow(ad.AsSpan(ao + aOff, inner), bd.AsSpan(bo + bOff, inner), dst);
            else if (aIn == 1) rowScalar(ad.AsSpan(ao + aOff, inner), bd[bo + bOff], dst);
            else if (bIn == 1) scalarRow(ad[ao + aOff], bd.AsSpan(bo + bOff, inner), dst);
            else dst.Fill(scalar(ad[ao + aOff], bd[bo + bOff]));
        });
        return y;
    }

    internal delegate void TensorPrimitivesBinary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst);
    internal delegate void TensorPrimitivesScalarRight(ReadOnlySpan<float> x, float y, Span<float> dst);
    internal delegate void TensorPrimitivesScalarLeft(float x, ReadOnlySpan<float> y, Span<float> dst);

    /// <summary>Elementwise a + b with NumPy broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(a, b, TensorPrimitives.Add, TensorPrimitives.Add, static (x, r, d) => TensorPrimitives.Add(r, x, d), static (x, r) => x + r);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("add", [a, b], g =>
            {
                if (a.RequiresGrad) Broadcasting.AccumulateReduced(g.Span, g.ShapeRef, a.GradSpanForAccumulate(), a.ShapeRef);
                if (b.RequiresGrad) Broadcasting.AccumulateReduced(g.Span, g.ShapeRef, b.GradSpanForAccumulate(), b.ShapeRef);
            });
        }
        return y;
    }

    /// <summary>Elementwise a · b with NumPy broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(a, b, TensorPrimitives.Multiply, TensorPrimitives.Multiply, static (x, r, d) => TensorPrimitives.Multiply(r, x, d), static (x, r) => x * r);
        if (Autograd.ShouldRecord(a, b))
        {
            y.Record("mul", [a, b], g =>
            {
                // d(a·b)/da = b and d(a·b)/db = a, each reduced over the axes its operand was broadcast along.
                if (a.RequiresGrad)
                {
                    using var _ = Autograd.NoGrad();
                    var ga = Mul(g, b);
                    Broadcasting.AccumulateReduced(ga.Span, ga.ShapeRef, a.GradSpanForAccumulate(), a.ShapeRef);
                }
                if (b.RequiresGrad)
                {
                    using var _ = Autograd.NoGrad();
                    var gb = Mul(g, a);
                    Broadcasting.AccumulateReduced(gb.Span, gb.ShapeRef, b.GradSpanForAccumulate(), b.ShapeRef);
                }
            });
        }
        return y;
    }
}
