namespace Cascade.Features.Encoders;

/// <summary>
/// Multiple numeral system (MNS) code, Tencent ads paper Eq. (2): a non-negative integer v is written in each base
/// b ∈ Bases with K_b digits (K_b = digits of MaxValue in base b); digit k (least significant first) with value d
/// becomes id 1 + Offset_b + k·b + d, so every (base, position, digit) triple has its own embedding row and the model
/// sum-pools the Σ K_b embeddings: f_MNS = Σ_k X_{2k+B_k} + Σ_k X_{3k+C_k} + ... Using several bases avoids the carry
/// problem of one base (binary 0111 → 1000 flips every digit; ternary and decimal change fewer). Id 0 = missing.
/// Example: bases [2,3,10], max 1000 → widths 10 + 7 + 4 = 21 ids per value, table size 1 + 20 + 21 + 40 = 82.
/// </summary>
public sealed class MnsCode
{
    private readonly int[] _digits;
    private readonly int[] _offsets;

    /// <summary>The bases.</summary>
    public int[] Bases { get; }
    /// <summary>Largest encodable value; larger values are clamped.</summary>
    public long MaxValue { get; }
    /// <summary>Ids per value: Σ K_b.</summary>
    public int Width { get; }
    /// <summary>Embedding table size: 1 + Σ K_b·b.</summary>
    public int Size { get; }

    /// <summary>Creates the code for the given bases (each 2..36) and maximum value.</summary>
    public MnsCode(IReadOnlyList<int> bases, long maxValue)
    {
        if (bases.Count == 0) throw new ArgumentException("at least one base is needed.", nameof(bases));
        if (maxValue < 1) throw new ArgumentOutOfRangeException(nameof(maxValue), "max value must be ≥ 1.");
        Bases = [.. bases];
        MaxValue = maxValue;
        _digits = new int[Bases.Length];
        _offsets = new int[Bases.Length];
        int offset = 0, width = 0;
        for (int j = 0; j < Bases.Length; j++)
        {
            if (Bases[j] < 2 || Bases[j] > 36) throw new ArgumentOutOfRangeException(nameof(bases), $"base {Bases[j]} outside 2..36.");
            int k = 0;
            for (long v = maxValue; v > 0; v /= Bases[j]) k++;
            _digits[j] = k;
            _offsets[j] = offset;
            offset += k * Bases[j];
            width += k;
        }
        Width = width;
        Size = 1 + offset;
    }

    /// <summary>Digit count K_b for base index j.</summary>
    public int DigitCount(int j) => _digits[j];

    /// <summary>Writes the Width ids of v (clamped to [0, MaxValue]) into <paramref name="ids"/>.</summary>
    public void Encode(long v, Span<int> ids)
    {
        v = Math.Clamp(v, 0, MaxValue);
        int p = 0;
        for (int j = 0; j < Bases.Length; j++)
        {
            int b = Bases[j];
            long x = v;
            for (int k = 0; k < _digits[j]; k++)
            {
                ids[p++] = 1 + _offsets[j] + k * b + (int)(x % b);
                x /= b;
            }
        }
    }

    /// <summary>Writes the "missing" code (all zeros).</summary>
    public void EncodeMissing(Span<int> ids) => ids[..Width].Clear();

    /// <summary>Reads the value back from the ids of base index j (the inverse of <see cref="Encode"/>).</summary>
    public long Decode(ReadOnlySpan<int> ids, int j = 0)
    {
        int start = 0;
        for (int i = 0; i < j; i++) start += _digits[i];
        long v = 0, place = 1;
        int b = Bases[j];
        for (int k = 0; k < _digits[j]; k++)
        {
            int d = ids[start + k] - 1 - _offsets[j] - k * b;
            if (d < 0 || d >= b) throw new ArgumentException($"id {ids[start + k]} is not digit {k} of base {b}.", nameof(ids));
            v += d * place;
            place *= b;
        }
        return v;
    }
}
