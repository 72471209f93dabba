using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

/// <summary>How a <see cref="CrossNetwork"/> layer is parametrised.</summary>
public enum CrossType
{
    /// <summary>DCN v1 (Wang et al. 2017, Eq. 3): x_{l+1} = x0 · (x_lᵀ w_l) + b_l + x_l with w_l, b_l ∈ ℝⁿ.</summary>
    Vector,
    /// <summary>DCN-V2 (Wang et al. 2021, Eq. 1): x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l with W_l ∈ ℝⁿˣⁿ, or W_l = U_l V_lᵀ of rank r (Eq. 2).</summary>
    Matrix,
}

/// <summary>Options of a <see cref="CrossNetwork"/>.</summary>
/// <param name="Width">Input width n (F·D + dense count in DCN).</param>
/// <param name="Layers">Number of cross layers L (IntTower/DeepCTR default 2).</param>
/// <param name="Type">Vector (DCN v1) or matrix (DCN-V2) layers.</param>
/// <param name="LowRank">Rank r of W = U Vᵀ for matrix layers; 0 = full n×n matrix.</param>
/// <param name="Seed">Initialisation seed.</param>
public sealed record CrossNetworkOptions(int Width, int Layers = 2, CrossType Type = CrossType.Vector, int LowRank = 0, ulong Seed = 1);

/// <summary>
/// The cross network of DCN: L layers that each raise the polynomial degree of the feature crosses by one while
/// keeping a residual, x (B, n) → (B, n). Kernels Xavier-normal (DeepCTR's CrossNet: σ = √(2/(n+1)) for a vector
/// kernel, √(1/n) for a full matrix), biases zero. Parameter names: <c>kernel{l}</c> (1, n) or (n, n) in
/// (out, in) layout, or <c>u{l}</c> (n, r) and <c>v{l}</c> (r, n) when low-rank; <c>bias{l}</c> (n).
/// </summary>
public sealed class CrossNetwork : Module
{
    private readonly Parameter[] _kernels;
    private readonly Parameter[] _v;
    private readonly Parameter[] _biases;

    /// <summary>Creates the layers.</summary>
    public CrossNetwork(CrossNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Layers, 1);
        if (options.LowRank < 0) throw new ArgumentException($"Cross network low rank must be ≥ 0 (0 = full matrix), got {options.LowRank}.", nameof(options));
        if (options.LowRank > 0 && options.Type == CrossType.Vector) throw new ArgumentException("A low-rank cross network needs matrix layers (cross_type: matrix).", nameof(options));
        Options = options;
        int n = options.Width, r = options.LowRank;
        _kernels = new Parameter[options.Layers];
        _v = new Parameter[r > 0 ? options.Layers : 0];
        _biases = new Parameter[options.Layers];
        for (int l = 0; l < options.Layers; l++)
        {
            ulong seed = options.Seed + 17 * (ulong)l;
            if (options.Type == CrossType.Vector)
            {
                _kernels[l] = RegisterParameter($"kernel{l}", new Parameter(Tensor.Zeros([1, n]))); // (1, n): w_lᵀ
                RankerInit.XavierNormal(_kernels[l], 1, n, seed);
            }
            else if (r == 0)
            {
                _kernels[l] = RegisterParameter($"kernel{l}", new Parameter(Tensor.Zeros([n, n]))); // (n, n): W_l
                RankerInit.XavierNormal(_kernels[l], n, n, seed);
            }
            else
            {
                _kernels[l] = RegisterParameter($"u{l}", new Parameter(Tensor.Zeros([n, r]))); // (n, r): U_l
                _v[l] = RegisterParameter($"v{l}", new Parameter(Tensor.Zeros([r, n]))); // (r, n): V_lᵀ
                RankerInit.XavierNormal(_kernels[l], r, n, seed);
                RankerInit.XavierNormal(_v[l], n, r, seed + 5);
            }
            _biases[l] = RegisterParameter($"bias{l}", new Parameter(Tensor.Zeros([n]), group: Parameter.NoDecayGroup)); // (n)
        }
    }

    /// <summary>The options.</summary>
    public CrossNetworkOptions Options { get; }

    /// <summary>The kernels w_lᵀ (1, n), W_l (n, n) or U_l (n, r), by layer.</summary>
    public IReadOnlyList<Parameter> Kernels => _kernels;

    /// <summary>The low-rank V_lᵀ (r, n) by layer; empty unless low-rank.</summary>
    public IReadOnlyList<Parameter> LowRankV => _v;

    /// <summary>The biases b_l (n), by layer.</summary>
    public IReadOnlyList<Parameter> Biases => _biases;

    /// <summary>x0 (B, n) → x_L (B, n).</summary>
    public Tensor Forward(Tensor x0)
    {
        if (x0.Rank != 2 || x0.Dim(1) != Options.Width)
            throw new ArgumentException($"CrossNetwork({Options.Width}): input {ShapeUtil.Format(x0.Shape)} must be (B, {Options.Width}).", nameof(x0));
        var x = x0;
        for (int l = 0; l < _kernels.Length; l++)
        {
            if (Options.Type == CrossType.Vector)
            {
                // DCN Eq. (3): x_{l+1} = x0 · (x_lᵀ w_l) + b_l + x_l
                var s = Ops.Linear(x, _kernels[l], null); // (B, 1)
                x = Ops.Add(Ops.Add(Ops.Mul(x0, s), _biases[l].Value), x);
            }
            else
            {
                // DCN-V2 Eq. (1): x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l; Eq. (2) with W_l = U_l V_lᵀ
                var h = _v.Length > 0
                    ? Ops.Linear(Ops.Linear(x, _v[l], null), _kernels[l], _biases[l]) // (B, r) → (B, n)
                    : Ops.Linear(x, _kernels[l], _biases[l]); // (B, n)
                x = Ops.Add(Ops.Mul(x0, h), x);
            }
        }
        return x;
    }
}
