using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Data;

/// <summary>
/// Appends encoded rows into growing columns (doubling arrays, so N appends cost O(N) copies) and produces a
/// <see cref="ColumnarDataset"/>. <see cref="Add(RawRow)"/> goes through <see cref="SchemaEncoder.EncodeRow"/>, the
/// same code serving uses.
/// </summary>
public sealed class ColumnarDatasetBuilder
{
    private readonly SchemaEncoder _encoder;
    private readonly EncodedRow _row;
    private readonly int _ws, _fd;
    private readonly string[] _varNames;
    private readonly bool[] _varTimed;
    private int[] _sparse; private float[] _dense;
    private float[] _labels = new float[1024], _weights = new float[1024];
    private int[] _users = new int[1024]; private byte[] _sources = new byte[1024]; private long[] _times = new long[1024];
    private readonly List<int>[] _varOffsets;
    private readonly int[][] _varValues; private readonly long[][] _varTimes; private readonly int[] _varCount;
    private int _n;

    /// <summary>Creates a builder for an encoder's layout.</summary>
    public ColumnarDatasetBuilder(SchemaEncoder encoder)
    {
        _encoder = encoder;
        _row = new EncodedRow(encoder.Layout);
        _ws = encoder.Layout.SparseWidth; _fd = encoder.Layout.DenseWidth;
        _sparse = new int[1024 * Math.Max(1, _ws)]; _dense = new float[1024 * Math.Max(1, _fd)];
        var vl = encoder.Layout.Slots.Where(s => s.Block == FeatureBlock.VarLen).ToArray();
        _varNames = vl.Select(s => s.Feature.Name).ToArray();
        _varTimed = vl.Select(s => s.Feature.Kind == FeatureKind.Sequence).ToArray();
        _varOffsets = vl.Select(_ => new List<int>(1024) { 0 }).ToArray();
        _varValues = vl.Select(_ => new int[4096]).ToArray();
        _varTimes = vl.Select(s => s.Feature.Kind == FeatureKind.Sequence ? new long[4096] : []).ToArray();
        _varCount = new int[vl.Length];
    }

    /// <summary>Samples added so far.</summary>
    public int Count => _n;

    /// <summary>Encodes and appends one raw row (label, weight, user, source and timestamp taken from it).</summary>
    public void Add(RawRow raw)
    {
        _encoder.EncodeRow(raw, _row);
        Append(_row, raw.Label, raw.Weight, raw.UserId, raw.Source, raw.Timestamp);
    }

    /// <summary>Appends an already encoded row.</summary>
    public void Append(EncodedRow row, float label, float weight, int userId, SampleSource source, long timestamp)
    {
        if (_n == _labels.Length) GrowSamples();
        row.Sparse.CopyTo(_sparse.AsSpan(_n * _ws));
        row.Dense.CopyTo(_dense.AsSpan(_n * _fd));
        _labels[_n] = label; _weights[_n] = weight; _users[_n] = userId; _sources[_n] = (byte)source; _times[_n] = timestamp;
        for (int c = 0; c < _varCount.Length; c++)
        {
            int len = row.VarLenLength[c], at = _varCount[c];
            if (at + len > _varValues[c].Length)
            {
                Array.Resize(ref _varValues[c], Math.Max(_varValues[c].Length * 2, at + len));
                if (_varTimed[c]) Array.Resize(ref _varTimes[c], _varValues[c].Length);
            }
            row.VarLen[c].AsSpan(0, len).CopyTo(_varValues[c].AsSpan(at));
            if (_varTimed[c]) row.VarLenTime[c].AsSpan(0, len).CopyTo(_varTimes[c].AsSpan(at));
            _varCount[c] = at + len;
            _varOffsets[c].Add(at + len);
        }
        _n++;
    }

    private void GrowSamples()
    {
        int cap = _labels.Length * 2;
        Array.Resize(ref _labels, cap); Array.Resize(ref _weights, cap); Array.Resize(ref _users, cap);
        Array.Resize(ref _sources, cap); Array.Resize(ref _times, cap);
        Array.Resize(ref _sparse, cap * Math.Max(1, _ws)); Array.Resize(ref _dense, cap * Math.Max(1, _fd));
    }

    /// <summary>Produces the dataset (arrays trimmed to size). The builder can keep appending afterwards.</summary>
    public ColumnarDataset Build()
    {
        var cols = new VarLenColumn[_varCount.Length];
        for (int c = 0; c < cols.Length; c++)
            cols[c] = new VarLenColumn(_varNames[c], [.. _varOffsets[c]], _varValues[c][.._varCount[c]], _varTimed[c] ? _varTimes[c][.._varCount[c]] : null);
        return new ColumnarDataset(_n, _ws, _fd, _sparse[..(_n * _ws)], _dense[..(_n * _fd)], cols,
            _labels[.._n], _weights[.._n], _users[.._n], _sources[.._n], _times[.._n]);
    }
}
