namespace Cascade.Index;

/// <summary>
/// Seeded synthetic corpora for tests and benchmarks, identical on every machine (SplitMix64 + Box–Muller, no
/// dependence on System.Random's algorithm). Rows are (N, D) row-major.
/// </summary>
public static class SyntheticVectors
{
    /// <summary>
    /// A Gaussian mixture: <paramref name="clusters"/> centres drawn from N(0, I) and normalised; each row is a random
    /// centre plus N(0, σ²I) noise, L2-normalised when <paramref name="normalize"/> is set. Centres depend only on
    /// <paramref name="centerSeed"/>, so corpus and queries drawn with different <paramref name="seed"/>s share them.
    /// </summary>
    public static float[] GaussianMixture(int n, int dimensions, int clusters, float sigma, bool normalize, ulong seed, ulong centerSeed = 7)
    {
        var centers = new float[clusters * dimensions];
        var crng = new SplitMix(centerSeed);
        for (int c = 0; c < clusters; c++)
        {
            var row = centers.AsSpan(c * dimensions, dimensions);
            for (int i = 0; i < dimensions; i++) row[i] = crng.NextGaussian();
            Distances.NormalizeInPlace(row);
        }
        var data = new float[(long)n * dimensions];
        int blocks = Math.Max(1, Math.Min(64, n / 4096));
        Parallel.For(0, blocks, b =>
        {
            var rng = new SplitMix(seed * 0x9E3779B97F4A7C15UL + (ulong)b + 1);
            int lo = (int)((long)n * b / blocks), hi = (int)((long)n * (b + 1) / blocks);
            for (int r = lo; r < hi; r++)
            {
                int c = (int)(rng.Next() % (ulong)clusters);
                var row = data.AsSpan(r * dimensions, dimensions);
                for (int i = 0; i < dimensions; i++) row[i] = centers[c * dimensions + i] + sigma * rng.NextGaussian();
                if (normalize) Distances.NormalizeInPlace(row);
            }
        });
        return data;
    }

    /// <summary>Rows uniform in [0, 1)^D.</summary>
    public static float[] Uniform(int n, int dimensions, ulong seed)
    {
        var data = new float[(long)n * dimensions];
        var rng = new SplitMix(seed);
        for (long i = 0; i < data.Length; i++) data[i] = rng.NextFloat();
        return data;
    }

    /// <summary>SplitMix64 (Steele et al. 2014): tiny, fast, and good enough for synthetic data.</summary>
    internal struct SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

        public float NextGaussian()
        {
            double u1 = ((Next() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
            double u2 = (Next() >> 11) * (1.0 / 9007199254740992.0);
            return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }
}
