namespace Cascade.Tensors;

/// <summary>A dense row-major int32 tensor for ids, offsets and indices (never differentiable).</summary>
public sealed class IntTensor
{
    private int[] _shape;

    /// <summary>Wraps <paramref name="data"/> (not copied).</summary>
    public IntTensor(int[] data, ReadOnlySpan<int> shape)
    {
        _shape = shape.ToArray();
        int n = ShapeUtil.Numel(_shape);
        if (n != data.Length) throw new ArgumentException($"IntTensor: shape {ShapeUtil.Format(_shape)} needs {n} values, got {data.Length}.");
        Data = data;
    }

    /// <summary>A rank-1 tensor over <paramref name="data"/>.</summary>
    public static IntTensor FromArray(int[] data) => new(data, [data.Length]);

    /// <summary>
    /// An uninitialised tensor of the given shape: from the active <see cref="TensorArena"/> when there is one (object,
    /// shape and exact-size buffer pooled; valid until the activation ends, like the arena's float tensors), else new.
    /// Every element must be written.
    /// </summary>
    public static IntTensor Empty(ReadOnlySpan<int> shape) =>
        TensorArena.Current is { } arena ? arena.NewIntTensor(shape) : new(new int[ShapeUtil.Numel(shape)], shape);

    internal void Reuse(int[] data, int[] shape)
    {
        Data = data;
        _shape = shape;
    }

    internal int[] ShapeRef => _shape;

    /// <summary>The values.</summary>
    public int[] Data { get; private set; }

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Size => Data.Length;

    /// <summary>Dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank)];
}
