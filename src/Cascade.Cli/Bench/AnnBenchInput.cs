using System.Runtime.InteropServices;

namespace Cascade.Cli.Bench;

/// <summary>Reads the files <see cref="AnnBenchOutput"/> writes (base.fbin, queries.fbin, gt.ibin), checking their sizes.</summary>
internal static class AnnBenchInput
{
    /// <summary>(rows, cols) from the 8-byte header of a matrix file, without reading the body.</summary>
    public static (int Rows, int Cols) ReadShape(string path)
    {
        using var fs = OpenOrThrow(path);
        return ReadHeader(fs, path, elementBytes: 4);
    }

    /// <summary>A float32 matrix: int32 rows, int32 cols, then rows × cols floats.</summary>
    public static float[] ReadMatrix(string path, out int rows, out int cols)
    {
        using var fs = OpenOrThrow(path);
        (rows, cols) = ReadHeader(fs, path, elementBytes: 4);
        var data = new float[(long)rows * cols];
        fs.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return data;
    }

    /// <summary>Ground-truth ids: int32 rows, int32 k, then rows × k int32 ids.</summary>
    public static int[] ReadIds(string path, out int rows, out int k)
    {
        using var fs = OpenOrThrow(path);
        (rows, k) = ReadHeader(fs, path, elementBytes: 4);
        var ids = new int[(long)rows * k];
        fs.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
        return ids;
    }

    private static FileStream OpenOrThrow(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found; write the data once with `cascade bench ann --export DIR` (base.fbin, queries.fbin, gt.ibin).", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
    }

    private static (int Rows, int Cols) ReadHeader(FileStream fs, string path, int elementBytes)
    {
        Span<int> header = stackalloc int[2];
        if (fs.Length < 8) throw new InvalidDataException($"{path}: {fs.Length} bytes, shorter than the 8-byte (rows, cols) header.");
        fs.ReadExactly(MemoryMarshal.AsBytes(header));
        int rows = header[0], cols = header[1];
        if (rows < 1 || cols < 1) throw new InvalidDataException($"{path}: header says {rows} rows × {cols} columns; both must be ≥ 1.");
        long expected = 8 + (long)rows * cols * elementBytes;
        if (fs.Length != expected) throw new InvalidDataException($"{path}: {fs.Length} bytes, a {rows} × {cols} file has {expected}.");
        return (rows, cols);
    }
}
