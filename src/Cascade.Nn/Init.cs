using Cascade.Tensors;

namespace Cascade.Nn;

/// <summary>
/// Deterministic weight initialisation from a seeded <see cref="Rng"/>. Fan-in/fan-out follow PyTorch's layout
/// (out, in, …): fanIn = shape[1] · receptive field, fanOut = shape[0] · receptive field. Formulas (Glorot &amp; Bengio 2010; He et al. 2015):
/// Xavier uniform a = gain·√(6 / (fanIn + fanOut)), U(−a, a); Xavier normal σ = gain·√(2 / (fanIn + fanOut));
/// Kaiming uniform a = gain·√(3 / fanIn); Kaiming normal σ = gain / √fanIn, with gain √2 for ReLU.
/// </summary>
public static class Init
{
    /// <summary>(fanIn, fanOut) of a weight: rank 1 → (n, n); rank 2 (out, in); higher ranks multiply the trailing receptive field.</summary>
    public static (int FanIn, int FanOut) Fans(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).</summary>
    public static void XavierUniform(Tensor t, Rng rng, float gain = 1f)
    {
        var (fi, fo) = Fans(t.Shape);
        float a = gain * MathF.Sqrt(6f / (fi + fo));
        Uniform(t, rng, -a, a);
    }

    /// <summary>N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).</summary>
    public static void XavierNormal(Tensor t, Rng rng, float gain = 1f)
    {
        var (fi, fo) = Fans(t.Shape);
        Normal(t, rng, gain * MathF.Sqrt(2f / (fi + fo)));
    }

    /// <summary>U(−a, a) with a = gain·√(3 / fanIn); gain √2 (the default) suits ReLU.</summary>
    public static void KaimingUniform(Tensor t, Rng rng, float gain = 1.41421356f)
    {
        var (fi, _) = Fans(t.Shape);
        float a = gain * MathF.Sqrt(3f / fi);
        Uniform(t, rng, -a, a);
    }

    /// <summary>N(0, σ²) with σ = gain / √fanIn; gain √2 (the default) suits ReLU.</summary>
    public static void KaimingNormal(Tensor t, Rng rng, float gain = 1.41421356f)
    {
        var (fi, _) = Fans(t.Shape);
        Normal(t, rng, gain / MathF.Sqrt(fi));
    }

    /// <summary>N(mean, std²) elementwise.</summary>
    public static void Normal(Tensor t, Rng rng, float std, float mean = 0f)
    {
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = mean + std * rng.NextGaussian();
    }

    /// <summary>U(lo, hi) elementwise.</summary>
    public static void Uniform(Tensor t, Rng rng, float lo, float hi)
    {
        var s = t.Span;
        float width = hi - lo;
        for (int i = 0; i < s.Length; i++) s[i] = lo + width * rng.NextFloat();
    }

    /// <summary>All zeros.</summary>
    public static void Zeros(Tensor t) => t.Span.Clear();

    /// <summary>All equal to <paramref name="value"/>.</summary>
    public static void Constant(Tensor t, float value) => t.Span.Fill(value);
}

/// <summary>Named initialisation schemes for layer options.</summary>
public enum InitScheme
{
    /// <summary><see cref="Init.XavierUniform"/>.</summary>
    XavierUniform,
    /// <summary><see cref="Init.XavierNormal"/>.</summary>
    XavierNormal,
    /// <summary><see cref="Init.KaimingUniform"/>.</summary>
    KaimingUniform,
    /// <summary><see cref="Init.KaimingNormal"/>.</summary>
    KaimingNormal,
}

/// <summary>Applies an <see cref="InitScheme"/>.</summary>
public static class InitSchemeExtensions
{
    /// <summary>Initialises <paramref name="t"/> with the scheme.</summary>
    public static void Apply(this InitScheme scheme, Tensor t, Rng rng)
    {
        switch (scheme)
        {
            case InitScheme.XavierUniform: Init.XavierUniform(t, rng); break;
            case InitScheme.XavierNormal: Init.XavierNormal(t, rng); break;
            case InitScheme.KaimingUniform: Init.KaimingUniform(t, rng); break;
            case InitScheme.KaimingNormal: Init.KaimingNormal(t, rng); break;
            default: throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown init scheme.");
        }
    }
}
