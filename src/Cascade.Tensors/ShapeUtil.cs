namespace Cascade.Tensors;

/// <summary>Shape arithmetic shared by ops: element counts, axes, broadcasting.</summary>
public static class ShapeUtil
{
    /// <summary>Product of the dimensions (1 for a scalar shape).</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape {Format(shape)}.");
            n *= d;
        }
        if (n > Array.MaxLength) throw new ArgumentException($"Shape {Format(shape)} has {n} elements, more than an array can hold.");
        return (int)n;
    }

    /// <summary>Formats a shape as (2, 3, 4).</summary>
    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <summary>Maps a negative axis to its positive index and checks the range.</summary>
    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    /// <summary>Row-major flat index of a multi-index.</summary>
    public static int FlatIndex(ReadOnlySpan<int> shape, ReadOnlySpan<int> index)
    {
        if (index.Length != shape.Length) throw new ArgumentException($"Index of rank {index.Length} for a tensor of shape {Format(shape)}.");
        int flat = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i]) throw new IndexOutOfRangeException($"Index {index[i]} out of range for axis {i} of shape {Format(shape)}.");
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /// <summary>Row-major strides of a shape (in elements).</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>NumPy broadcasting of two shapes; throws with both shapes named when they do not broadcast.</summary>
    public static int[] BroadcastShapes(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {Format(a)} and {Format(b)} do not broadcast (axis {i}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }
}
