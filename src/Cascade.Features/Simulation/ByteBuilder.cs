using System.Buffers.Text;

namespace Cascade.Features.Simulation;

/// <summary>
/// A growable byte buffer for pre-formatting CSV fragments once (a request's user/context/history columns, an ad's
/// static columns) that are then copied into many rows; growing doubles the array, so steady state allocates nothing.
/// </summary>
internal sealed class ByteBuilder(int capacity = 256)
{
    private byte[] _buf = new byte[capacity];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> Span => _buf.AsSpan(0, Length);

    /// <summary>Forgets the content, keeping the array.</summary>
    public void Clear() => Length = 0;

    private Span<byte> Room(int n)
    {
        if (Length + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, Length + n));
        return _buf.AsSpan(Length);
    }

    public void Byte(byte b) { Room(1)[0] = b; Length++; }

    public void Int(long v)
    {
        Utf8Formatter.TryFormat(v, Room(24), out int n);
        Length += n;
    }

    public void Fixed(double v, int decimals)
    {
        Utf8CsvWriter.FormatFixed(v, decimals, Room(32), out int n);
        Length += n;
    }

    public void Ascii(string s)
    {
        var dst = Room(s.Length);
        for (int i = 0; i < s.Length; i++) dst[i] = (byte)s[i];
        Length += s.Length;
    }

    public void Bytes(ReadOnlySpan<byte> b)
    {
        b.CopyTo(Room(b.Length));
        Length += b.Length;
    }
}
