namespace Cascade.Tensors;

public sealed partial class Tensor
{
    private static float[] Allocate(int size, bool zero)
    {
        var arena = TensorArena.Current;
        if (arena is null) return zero ? new float[size] : GC.AllocateUninitializedArray<float>(size);
        var buf = arena.Rent(size);
        if (zero) Array.Clear(buf);
        return buf;
    }

    /// <summary>Uninitialised tensor (from the active arena when there is one). Every element must be written.</summary>
    public static Tensor Empty(ReadOnlySpan<int> shape)
    {
        if (TensorArena.Current is { } arena) return arena.NewTensor(shape, zero: false);
        var s = shape.ToArray();
        return new Tensor(Allocate(ShapeUtil.Numel(s), zero: false), 0, s);
    }

    /// <summary>Tensor of zeros (from the active arena when there is one).</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, bool requiresGrad = false)
    {
        if (TensorArena.Current is { } arena)
        {
            var t = arena.NewTensor(shape, zero: true);
            t.RequiresGrad = requiresGrad;
            return t;
        }
        var s = shape.ToArray();
        return new Tensor(Allocate(ShapeUtil.Numel(s), zero: true), 0, s) { RequiresGrad = requiresGrad };
    }

    // A view (reshape, leading-axis slice) of `data`: from the active arena's object pool when there is one — a view
    // lives no longer than the step that made it, like the arena buffers it usually points into.
    internal static Tensor View(float[] data, int offset, ReadOnlySpan<int> shape) =>
        TensorArena.Current is { } arena ? arena.NewView(data, offset, shape) : new Tensor(data, offset, shape.ToArray());

    /// <summary>Tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, float value, bool requiresGrad = false)
    {
        var t = Empty(shape);
        t.Span.Fill(value);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>Scalar (rank-0) tensor.</summary>
    public static Tensor Scalar(float value, bool requiresGrad = false) => Full([], value, requiresGrad);

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape; never from an arena.</summary>
    public static Tensor FromArray(float[] data, ReadOnlySpan<int> shape, bool requiresGrad = false)
    {
        var s = shape.ToArray();
        int n = ShapeUtil.Numel(s);
        if (n != data.Length) throw new ArgumentException($"FromArray: shape {ShapeUtil.Format(s)} needs {n} values, got {data.Length}.");
        return new Tensor(data, 0, s) { RequiresGrad = requiresGrad };
    }

    /// <summary>A new tensor (own storage) holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, bool requiresGrad = false)
        => FromArray(values.ToArray(), shape, requiresGrad);

    /// <summary>Standard normal samples times <paramref name="std"/>, from a seeded generator (never from an arena).</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, ulong seed, float std = 1f, bool requiresGrad = false)
    {
        var rng = new Rng(seed);
        var s = shape.ToArray();
        var data = new float[ShapeUtil.Numel(s)];
        for (int i = 0; i < data.Length; i++) data[i] = std * rng.NextGaussian();
        return new Tensor(data, 0, s) { RequiresGrad = requiresGrad };
    }

    /// <summary>Uniform samples in [lo, hi) from a seeded generator (never from an arena).</summary>
    public static Tensor Uniform(ReadOnlySpan<int> shape, ulong seed, float lo, float hi, bool requiresGrad = false)
    {
        var rng = new Rng(seed);
        var s = shape.ToArray();
        var data = new float[ShapeUtil.Numel(s)];
        for (int i = 0; i < data.Length; i++) data[i] = lo + (hi - lo) * rng.NextFloat();
        return new Tensor(data, 0, s) { RequiresGrad = requiresGrad };
    }
}
