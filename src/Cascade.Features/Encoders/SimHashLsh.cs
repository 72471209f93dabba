namespace Cascade.Features.Encoders;

/// <summary>
/// Random-hyperplane LSH (SimHash), Tencent ads paper §3.2: bit i of the code is 1 when ⟨h_i, v⟩ ≥ 0 for a seeded
/// Gaussian hyperplane h_i (bits × dim). Two vectors at angle θ agree on each bit with probability 1 − θ/π, so similar
/// creatives get codes at small Hamming distance; the code read as an integer is the ordinal HashID fed to MNS.
/// </summary>
public sealed class SimHashLsh
{
    private readonly float[] _planes; // (bits, dim) row-major

    /// <summary>Input vector length.</summary>
    public int Dim { get; }
    /// <summary>Code length in bits (1..30).</summary>
    public int Bits { get; }
    /// <summary>Seed of the hyperplanes (saved in the bundle; the planes are regenerated from it).</summary>
    public ulong Seed { get; }

    /// <summary>Creates the hyperplanes from a seed.</summary>
    public SimHashLsh(int dim, int bits, ulong seed)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim));
        if (bits is < 1 or > 30) throw new ArgumentOutOfRangeException(nameof(bits), "bits must be 1..30.");
        Dim = dim; Bits = bits; Seed = seed;
        _planes = new float[bits * dim];
        var rng = new FeatureRng(seed);
        for (int i = 0; i < _planes.Length; i++) _planes[i] = (float)rng.NextGaussian();
    }

    /// <summary>Largest code: 2^bits − 1.</summary>
    public long MaxCode => (1L << Bits) - 1;

    /// <summary>SimHash code of a vector of length <see cref="Dim"/>.</summary>
    public long Code(ReadOnlySpan<float> v)
    {
        if (v.Length != Dim) throw new ArgumentException($"vector has length {v.Length}, expected {Dim}.", nameof(v));
        long code = 0;
        for (int i = 0; i < Bits; i++)
        {
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(_planes.AsSpan(i * Dim, Dim), v);
            if (dot >= 0) code |= 1L << i;
        }
        return code;
    }

    /// <summary>Cosine similarity ⟨a,b⟩ / (|a||b|), 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"vector lengths differ ({a.Length} vs {b.Length}).", nameof(b));
        float na = System.Numerics.Tensors.TensorPrimitives.Norm(a), nb = System.Numerics.Tensors.TensorPrimitives.Norm(b);
        return na == 0 || nb == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.Dot(a, b) / (na * nb);
    }
}
