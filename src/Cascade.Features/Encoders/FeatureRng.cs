namespace Cascade.Features.Encoders;

/// <summary>
/// Seeded xoshiro256** generator used for splits, shuffles, negatives and LSH hyperplanes: the same seed gives the
/// same stream everywhere (Features does not depend on Cascade.Tensors, so it carries its own twin of Tensors.Rng).
/// </summary>
public sealed class FeatureRng
{
    // The xoshiro256** state and SplitMix64 seeding are the simulator's (one implementation in this assembly);
    // streams are bit-identical to what this class produced before it delegated.
    private Simulation.SimRandom _core;

    /// <summary>Seeds the state with SplitMix64.</summary>
    public FeatureRng(ulong seed) => Reseed(seed);

    /// <summary>Restarts the stream from a seed (same stream as a new generator with that seed), without allocating.</summary>
    public void Reseed(ulong seed) => _core = new Simulation.SimRandom(seed);

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift; bias below 2⁻³² for n &lt; 2³¹).</summary>
    public int NextInt(int n) => _core.NextInt(n);

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _core.NextDouble();

    /// <summary>Standard normal by Box–Muller (not the simulator's polar method: fitted LSH hyperplanes depend on this stream).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
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
