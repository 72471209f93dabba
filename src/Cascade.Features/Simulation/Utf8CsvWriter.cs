using System.Buffers.Text;

namespace Cascade.Features.Simulation;

/// <summary>
/// Buffered UTF-8 CSV writer that formats numbers straight into a byte buffer (Utf8Formatter for integers, a
/// fixed-point routine for doubles) so that writing a field allocates nothing. Values are never quoted: the
/// simulator writes only numbers, ASCII names and '|'-separated lists. Flushes to the stream every 64 KB (it stays in L2 next to the per-request buffers).
/// </summary>
public sealed class Utf8CsvWriter : IDisposable
{
    private const int Capacity = 1 << 16;
    private static readonly long[] Pow10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];
    private readonly Stream _stream;
    private readonly byte[] _buf = new byte[Capacity];
    private int _pos;

    /// <summary>Bytes written so far, including those still buffered.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes into <paramref name="stream"/>; the caller owns and disposes the stream.</summary>
    public Utf8CsvWriter(Stream stream) => _stream = stream;

    private void Ensure(int n)
    {
        if (_pos + n > Capacity) Flush();
    }

    /// <summary>Writes the buffered bytes to the stream.</summary>
    public void Flush()
    {
        if (_pos == 0) return;
        _stream.Write(_buf, 0, _pos);
        BytesWritten += _pos;
        _pos = 0;
    }

    /// <summary>
    /// A span of at least <paramref name="size"/> free bytes (flushing first if needed; size ≤ 64 KB) to format a
    /// whole row into with one bounds check; commit the bytes used with <see cref="Advance"/>.
    /// </summary>
    public Span<byte> GetSpan(int size)
    {
        if (size > Capacity) throw new ArgumentOutOfRangeException(nameof(size), $"at most {Capacity} bytes, asked {size}.");
        Ensure(size);
        return _buf.AsSpan(_pos);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span of <see cref="GetSpan"/>.</summary>
    public void Advance(int count) => _pos += count;

    /// <summary>Writes a comma.</summary>
    public void Comma() { Ensure(1); _buf[_pos++] = (byte)','; }

    /// <summary>Writes one separator byte (e.g. '|').</summary>
    public void Byte(byte b) { Ensure(1); _buf[_pos++] = b; }

    /// <summary>Writes a line feed.</summary>
    public void NewLine() { Ensure(1); _buf[_pos++] = (byte)'\n'; }

    /// <summary>Writes raw bytes (pre-formatted fields).</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Capacity - _pos)
        {
            Flush();
            if (bytes.Length > Capacity) { _stream.Write(bytes); BytesWritten += bytes.Length; return; }
        }
        bytes.CopyTo(_buf.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>Writes an ASCII string (names, headers).</summary>
    public void WriteAscii(string s)
    {
        Ensure(s.Length);
        if (s.Length > Capacity) throw new ArgumentException("string longer than the writer's buffer", nameof(s));
        for (int i = 0; i < s.Length; i++) _buf[_pos++] = (byte)s[i];
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void WriteInt32(int v)
    {
        Ensure(16);
        if ((uint)v < 10) { _buf[_pos++] = (byte)('0' + v); return; }
        Utf8Formatter.TryFormat(v, _buf.AsSpan(_pos), out int n);
        _pos += n;
    }

    /// <summary>Writes a 64-bit integer.</summary>
    public void WriteInt64(long v)
    {
        Ensure(24);
        Utf8Formatter.TryFormat(v, _buf.AsSpan(_pos), out int n);
        _pos += n;
    }

    /// <summary>
    /// Writes <paramref name="v"/> rounded half away from zero to <paramref name="decimals"/> (0..8) places, e.g.
    /// WriteFixed(0.0123456, 6) → "0.012346". |v| must be below 9·10^10 (values here are probabilities, bids,
    /// ratios and logits).
    /// </summary>
    public void WriteFixed(double v, int decimals)
    {
        Ensure(32);
        FormatFixed(v, decimals, _buf.AsSpan(_pos), out int n);
        _pos += n;
    }

    /// <summary>The formatting routine of <see cref="WriteFixed"/>, for pre-formatting into caller buffers.</summary>
    public static void FormatFixed(double v, int decimals, Span<byte> dest, out int written)
    {
        // |v|·10^d + 0.5 truncated = round half away from zero on the magnitude; then one backward pass of
        // divisions by the constant 10 (multiply-shift), with the point inserted after d digits. No division by a
        // variable power of ten: that 64-bit div cost ~40 cycles, more than all the digits together.
        ulong scaled = (ulong)(Math.Abs(v) * Pow10[decimals] + 0.5);
        int pos = 0;
        if (v < 0 && scaled != 0) dest[pos++] = (byte)'-';
        int digits = Math.Max(CountDigits(scaled), decimals + 1);
        int end = pos + digits + (decimals > 0 ? 1 : 0);
        int i = end - 1;
        for (int k = 0; k < digits; k++)
        {
            if (k == decimals && decimals > 0) dest[i--] = (byte)'.';
            ulong q = scaled / 10;
            dest[i--] = (byte)('0' + (scaled - q * 10));
            scaled = q;
        }
        written = end;
    }

    private static int CountDigits(ulong v)
    {
        int n = 1;
        if (v >= 10_000_000_000_000_000) { v /= 10_000_000_000_000_000; n += 16; }
        if (v >= 100_000_000) { v /= 100_000_000; n += 8; }
        if (v >= 10_000) { v /= 10_000; n += 4; }
        if (v >= 100) { v /= 100; n += 2; }
        if (v >= 10) n++;
        return n;
    }

    /// <summary>Flushes the buffer (the stream stays open).</summary>
    public void Dispose() => Flush();

    /// <summary>Writes a header line of comma-separated names.</summary>
    public void WriteHeader(IReadOnlyList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0) Comma();
            WriteAscii(names[i]);
        }
        NewLine();
    }
}
