namespace Cascade.Tensors;

/// <summary>
/// Seeded xoshiro256** generator: the same seed gives the same stream on every machine and .NET version, which
/// makes initialisation, dropout masks and shuffles reproducible.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spare;
    private bool _hasSpare;

    /// <summary>Seeds the state with SplitMix64 so that nearby seeds give unrelated streams.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Fills an inverted-dropout mask: element i is 0 when its 32-bit uniform is below p · 2³² and 1/(1 − p)
    /// otherwise, two elements per 64-bit draw (low half first), one more draw for an odd tail. The same stream as
    /// calling <see cref="NextUInt64"/> element pair by pair, but the state stays in registers for the whole loop
    /// (the field loads and stores per draw were ~40 % of dropout's cost at 256×300).
    /// </summary>
    internal void FillDropoutMask(Span<float> mask, uint threshold, float scale)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        int i = 0, n = mask.Length;
        for (; i + 1 < n; i += 2)
        {
            ulong bits = ulong.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = ulong.RotateLeft(s3, 45);
            mask[i] = (uint)bits < threshold ? 0f : scale;
            mask[i + 1] = (uint)(bits >> 32) < threshold ? 0f : scale;
        }
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
        if (i < n) mask[i] = (uint)NextUInt64() < threshold ? 0f : scale;
    }

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"NextInt needs n > 0, got {n}.");
        ulong m = (ulong)(uint)(NextUInt64() >> 32) * (uint)n;
        uint low = (uint)m;
        if (low < (uint)n)
        {
            uint threshold = (uint)(-n) % (uint)n;
            while (low < threshold)
            {
                m = (ulong)(uint)(NextUInt64() >> 32) * (uint)n;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Standard normal sample (Marsaglia polar method, caching the second value).</summary>
    public float NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = (float)(v * f);
        _hasSpare = true;
        return (float)(u * f);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
