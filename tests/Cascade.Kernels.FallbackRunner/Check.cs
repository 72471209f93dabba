namespace Cascade.Kernels.FallbackRunner;

/// <summary>A kernel disagreed with its reference twin or wrote outside its output.</summary>
public sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// An output buffer with 16 guard floats on each side holding a sentinel; <see cref="AssertGuards"/> proves the
/// kernel wrote nothing outside its span (a tail loop that runs one vector too far is caught here).
/// </summary>
public sealed class Guarded
{
    private const int Pad = 16;
    private const float Sentinel = -123456.75f;
    private readonly float[] _buffer;

    public Guarded(ReadOnlySpan<float> initial)
    {
        Length = initial.Length;
        _buffer = new float[Length + 2 * Pad];
        _buffer.AsSpan().Fill(Sentinel);
        initial.CopyTo(_buffer.AsSpan(Pad, Length));
    }

    public int Length { get; }

    public Span<float> Span => _buffer.AsSpan(Pad, Length);

    public void AssertGuards(string what)
    {
        for (int i = 0; i < Pad; i++)
        {
            if (_buffer[i] != Sentinel) throw new CheckFailedException($"{what}: wrote before the output (guard {i - Pad} = {_buffer[i]}).");
            if (_buffer[Pad + Length + i] != Sentinel) throw new CheckFailedException($"{what}: wrote past the output (index {Length + i} = {_buffer[Pad + Length + i]}).");
        }
    }
}

/// <summary>Comparison and data helpers.</summary>
public static class Check
{
    /// <summary>|expected − actual| ≤ atol + rtol · |expected| element-wise (NaN matches NaN, ∞ matches ∞).</summary>
    public static void Close(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float rtol, float atol)
    {
        if (expected.Length != actual.Length) throw new CheckFailedException($"{what}: length {actual.Length} vs expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++) Close(what, i, expected[i], actual[i], rtol, atol);
    }

    public static void Close(string what, int index, float expected, float actual, float rtol, float atol)
    {
        if (float.IsNaN(expected) && float.IsNaN(actual)) return;
        if (float.IsInfinity(expected) || float.IsInfinity(actual))
        {
            if (expected == actual) return;
        }
        else if (MathF.Abs(expected - actual) <= atol + rtol * MathF.Abs(expected)) return;
        throw new CheckFailedException($"{what}: [{index}] = {actual:R}, expected {expected:R} (rtol {rtol}, atol {atol}).");
    }

    public static void Equal(string what, ReadOnlySpan<int> expected, ReadOnlySpan<int> actual)
    {
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) throw new CheckFailedException($"{what}: [{i}] = {actual[i]}, expected {expected[i]}.");
    }

    /// <summary>n floats uniform in [lo, hi) from a fixed seed.</summary>
    public static float[] Uniform(int seed, int n, float lo, float hi)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return x;
    }
}
