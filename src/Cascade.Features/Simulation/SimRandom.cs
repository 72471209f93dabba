namespace Cascade.Features.Simulation;

/// <summary>
/// Seeded xoshiro256** stream plus SplitMix64 hashing, written here (not System.Random, whose algorithm may change
/// between .NET versions) so that the simulator's output is byte-identical on every machine. A mutable struct: pass
/// it by <c>ref</c>. Derive independent streams with <see cref="For(ulong, ulong, ulong, ulong)"/> so that every
/// entity (user, user-day, request) gets its own stream from the seed and its key, whatever order work is done in.
/// </summary>
public struct SimRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>Seeds the four state words with SplitMix64 of <paramref name="seed"/>.</summary>
    public SimRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMixNext(ref x); _s1 = SplitMixNext(ref x); _s2 = SplitMixNext(ref x); _s3 = SplitMixNext(ref x);
    }

    /// <summary>A stream keyed by (seed, a, b, c): e.g. (seed, StreamUser, userId, 0).</summary>
    public static SimRandom For(ulong seed, ulong a, ulong b = 0, ulong c = 0)
        => new(Hash(Hash(Hash(seed ^ 0x5DEECE66DUL, a), b), c));

    /// <summary>SplitMix64 finaliser of <paramref name="x"/> + golden ratio: a fast, well-mixed 64-bit hash.</summary>
    public static ulong Mix(ulong x)
    {
        ulong z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Hash of a pair, order-sensitive.</summary>
    public static ulong Hash(ulong h, ulong v) => Mix(h ^ Mix(v + 0x632BE59BD9B4E019UL));

    /// <summary>Uniform double in [0, 1) from a hash value (53 bits).</summary>
    public static double UnitFromHash(ulong h) => (h >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMixNext(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        ulong z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n) for n ≥ 1 (multiply-shift; bias below 2^-32, irrelevant at n ≤ 10^7).</summary>
    public int NextInt(int n) => (int)(((NextUInt64() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>
    /// Standard normal by Marsaglia's polar method (no trigonometry: about half the cost of Box–Muller here); the
    /// second value of each pair is kept for the next call.
    /// </summary>
    public double NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double x, y, s;
        do
        {
            x = 2 * NextDouble() - 1;
            y = 2 * NextDouble() - 1;
            s = x * x + y * y;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spare = y * f;
        _hasSpare = true;
        return x * f;
    }

    /// <summary>Exponential with the given mean.</summary>
    public double NextExponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Geometric count of extra trials: P(k) = (1 − p)^k p, k ≥ 0, capped at <paramref name="max"/>.</summary>
    public int NextGeometric(double p, int max)
    {
        int k = 0;
        while (k < max && NextDouble() >= p) k++;
        return k;
    }

    /// <summary>Poisson count by inversion (fine for means below ~30).</summary>
    public int NextPoisson(double mean)
    {
        double l = Math.Exp(-mean), prod = NextDouble();
        int k = 0;
        while (prod > l && k < 1000) { prod *= NextDouble(); k++; }
        return k;
    }
}
