using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Cascade.Models.TwoTower;

public sealed partial class Hit : IRepresentationScorer
{
    /// <summary>
    /// HIT Eq. (7) for one user against many ads, from spans: score_i = Σ_{j_u} max_{j_a} r_u,(j_u)ᵀ r_a,(j_a) (+ bias).
    /// user (J_u·z), each ad (J_a·z) with z = <see cref="HitOptions.HeadDim"/> (the tower output width without
    /// representers). Serving's pre-ranking: 1,000 ads × J_u·J_a dots of z floats, no tiled user copy.
    /// </summary>
    public void ScoreRepresentations(ReadOnlySpan<float> user, ReadOnlySpan<float[]> ads, Span<float> scores)
    {
        if (scores.Length < ads.Length) throw new ArgumentException($"scores holds {scores.Length} values for {ads.Length} ads.", nameof(scores));
        int z = Options.Representers ? Options.HeadDim : Options.Tower[^1];
        if (user.Length == 0 || user.Length % z != 0) throw new ArgumentException($"HIT user representation of {user.Length} floats is not a whole number of heads of {z}.", nameof(user));
        int ju = user.Length / z;
        float bias = _output is null ? 0f : _output.Bias.Value.Span[0];
        for (int i = 0; i < ads.Length; i++)
        {
            var ad = ads[i];
            if (ad.Length == 0 || ad.Length % z != 0) throw new ArgumentException($"HIT ad representation {i} of {ad.Length} floats is not a whole number of heads of {z}.", nameof(ads));
            int ja = ad.Length / z;
            float s = 0f;
            for (int u = 0; u < ju; u++)
            {
                var head = user.Slice(u * z, z);
                float best = float.NegativeInfinity;
                for (int a = 0; a < ja; a++) best = MathF.Max(best, Dot(head, ad.AsSpan(a * z, z)));
                s += best;
            }
            scores[i] = s + bias;
        }
    }

    // One head dot: z = 16 (the serving bundle) is one 512-bit multiply and a horizontal sum, z = 8 one 256-bit;
    // TensorPrimitives.Dot (its own 512/256/128-bit and scalar paths) otherwise. 1,000 ads × J_u·J_a = 4,000 dots per
    // request, where TensorPrimitives' length and alignment dispatch costs as much as the 16 multiplies.
    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length == 16 && Vector512.IsHardwareAccelerated) return Vector512.Sum(Vector512.Create(x) * Vector512.Create(y));
        if (x.Length == 8 && Vector256.IsHardwareAccelerated) return Vector256.Sum(Vector256.Create(x) * Vector256.Create(y));
        return TensorPrimitives.Dot(x, y);
    }
}
