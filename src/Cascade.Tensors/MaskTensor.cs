namespace Cascade.Tensors;

/// <summary>
/// A dense row-major byte tensor used as a boolean mask (nonzero = keep / true); never differentiable.
/// Ops that take a mask broadcast it to their input with NumPy rules, so a (B, 1, L) mask serves a (B, H, L) input.
/// </summary>
/// <example><c>var m = MaskTensor.FromBools([true, true, false], [1, 3]);  // keep the first two of three keys</c></example>
public sealed class MaskTensor
{
    private readonly int[] _shape;

    /// <summary>Wraps <paramref name="data"/> (not copied); nonzero bytes mean true.</summary>
    public MaskTensor(byte[] data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        _shape = shape.ToArray();
        int n = ShapeUtil.Numel(_shape);
        if (n != data.Length) throw new ArgumentException($"MaskTensor: shape {ShapeUtil.Format(_shape)} needs {n} values, got {data.Length}.", nameof(data));
        Data = data;
    }

    /// <summary>A mask holding a copy of <paramref name="values"/> (true → 1, false → 0).</summary>
    public static MaskTensor FromBools(ReadOnlySpan<bool> values, ReadOnlySpan<int> shape)
    {
        var data = new byte[values.Length];
        for (int i = 0; i < data.Length; i++) data[i] = values[i] ? (byte)1 : (byte)0;
        return new MaskTensor(data, shape);
    }

    /// <summary>The values (nonzero = true).</summary>
    public byte[] Data { get; }

    /// <summary>The dimensions. Do not mutate.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    internal int[] ShapeRef => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Size => Data.Length;
}
