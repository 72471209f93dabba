using System.Numerics.Tensors;
using Cascade.Kernels;

namespace Cascade.Nn.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum μ and Nesterov look-ahead (PyTorch convention, no dampening):
/// g' = g + λ·w; v = μ·v + g'; w −= lr · (g' + μ·v) with Nesterov, else w −= lr · v. With μ = 0: w −= lr · g'.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <inheritdoc />
    protected override bool UpdatesAreIndependent => true;

    private readonly float _momentum;
    private readonly bool _nesterov;

    /// <summary>Creates the optimizer.</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, float momentum = 0f, bool nesterov = false) : base(groups, ["momentum"])
    {
        if (momentum < 0f || momentum >= 1f) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "SGD momentum must be in [0, 1).");
        if (nesterov && momentum == 0f) throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        _momentum = momentum;
        _nesterov = nesterov;
    }

    /// <inheritdoc />
    public override string Kind => "sgd";

    /// <inheritdoc />
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay)
    {
        if (_momentum == 0f)
        {
            // Plain SGD needs no velocity: w = w·(1 − lr·λ) − lr·g.
            if (weightDecay != 0f) TensorPrimitives.Multiply(w, 1f - lr * weightDecay, w);
            TensorPrimitives.MultiplyAdd(g, -lr, w, w);
            return;
        }
        OptimizerSteps.SgdMomentum(w, g, state[0].AsSpan(offset, w.Length), lr, _momentum, weightDecay, _nesterov);
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with coupled L2 (g' = g + λ·w): m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
/// w −= lr · m̂ / (√v̂ + ε), m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t). Sparse tables update only touched rows and use the
/// global step t for the bias corrections (lazy Adam).
/// </summary>
public class Adam : Optimizer
{
    /// <inheritdoc />
    protected override bool UpdatesAreIndependent => true;

    private readonly float _beta1, _beta2, _eps;
    private readonly bool _decoupled;
    private float _bc1 = 1f, _bc2 = 1f;

    /// <summary>Creates the optimizer.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
        : this(groups, beta1, beta2, eps, decoupled: false) { }

    private protected Adam(IEnumerable<ParameterGroup> groups, float beta1, float beta2, float eps, bool decoupled) : base(groups, ["m", "v"])
    {
        if (beta1 < 0f || beta1 >= 1f) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Adam beta1 must be in [0, 1).");
        if (beta2 < 0f || beta2 >= 1f) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Adam beta2 must be in [0, 1).");
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        _decoupled = decoupled;
    }

    /// <inheritdoc />
    public override string Kind => _decoupled ? "adamw" : "adam";

    /// <inheritdoc />
    protected override void BeginStep(int step)
    {
        _bc1 = 1f - MathF.Pow(_beta1, step);
        _bc2 = 1f - MathF.Pow(_beta2, step);
    }

    /// <inheritdoc />
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay)
    {
        OptimizerSteps.Adam(w, g, state[0].AsSpan(offset, w.Length), state[1].AsSpan(offset, w.Length), lr, _beta1, _beta2, _eps,
            _decoupled ? 0f : weightDecay, _decoupled ? weightDecay : 0f, _bc1, _bc2);
    }

    /// <inheritdoc />
    protected override void UpdateRows(Span<float> w, ReadOnlySpan<float> g, float[][] state, int dim, ReadOnlySpan<int> rows, float lr, float weightDecay)
    {
        OptimizerSteps.AdamRows(w, g, state[0], state[1], dim, rows, lr, _beta1, _beta2, _eps,
            _decoupled ? 0f : weightDecay, _decoupled ? weightDecay : 0f, _bc1, _bc2);
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019): Adam with decoupled weight decay, w −= lr · (m̂ / (√v̂ + ε) + λ·w); the
/// decay does not pass through the moment estimates.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer; each group's WeightDecay is the decoupled λ.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
        : base(groups, beta1, beta2, eps, decoupled: true) { }
}

/// <summary>
/// Adagrad (Duchi et al. 2011): g' = g + λ·w; acc += g'²; w −= lr · g' / (√acc + ε), acc starting at
/// <c>initialAccumulator</c> (0.1 in TensorFlow, 0 in PyTorch).
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <inheritdoc />
    protected override bool UpdatesAreIndependent => true;

    private readonly float _eps;

    /// <summary>Creates the optimizer.</summary>
    public Adagrad(IEnumerable<ParameterGroup> groups, float initialAccumulator = 0f, float eps = 1e-10f) : base(groups, ["acc"], initialAccumulator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialAccumulator);
        _eps = eps;
    }

    /// <inheritdoc />
    public override string Kind => "adagrad";

    /// <inheritdoc />
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay)
        => OptimizerSteps.Adagrad(w, g, state[0].AsSpan(offset, w.Length), lr, _eps, weightDecay);

    /// <inheritdoc />
    protected override void UpdateRows(Span<float> w, ReadOnlySpan<float> g, float[][] state, int dim, ReadOnlySpan<int> rows, float lr, float weightDecay)
        => OptimizerSteps.AdagradRows(w, g, state[0], dim, rows, lr, _eps, weightDecay);
}
