using Cascade.Kernels;

namespace Cascade.Nn.Optim;

/// <summary>
/// FTRL-Proximal, per coordinate (McMahan et al. 2013, "Ad Click Prediction: a View from the Trenches", Alg. 1).
/// With g the gradient: σ = (√(n + g²) − √n) / α; z += g − σ·w; n += g²;
/// w = 0 if |z| ≤ λ1, else −(z − sign(z)·λ1) / ((β + √n) / α + λ2). The weight is a function of (z, n), so
/// whatever value a parameter held before its first update is replaced (FTRL is meant for zero-initialised
/// weights); the L1 term makes many coordinates exactly zero. The group's learning rate is ignored in favour of α
/// (so schedules do not apply) and regularisation is λ1/λ2, so groups must have zero weight decay.
/// </summary>
public sealed class Ftrl : Optimizer
{
    /// <inheritdoc />
    protected override bool UpdatesAreIndependent => true;

    private readonly float _alpha, _beta, _l1, _l2;

    /// <summary>Creates the optimizer (paper defaults: β = 1).</summary>
    public Ftrl(IEnumerable<ParameterGroup> groups, float alpha, float beta = 1f, float l1 = 0f, float l2 = 0f) : base(groups, ["z", "n"])
    {
        if (alpha <= 0f) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "FTRL alpha must be > 0.");
        ArgumentOutOfRangeException.ThrowIfNegative(beta);
        ArgumentOutOfRangeException.ThrowIfNegative(l1);
        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        foreach (var group in Groups)
            if (group.WeightDecay != 0f)
                throw new ArgumentException($"FTRL regularises with l1/l2; parameter group '{group.Name}' has weight decay {group.WeightDecay} (set it to 0 and use l2).", nameof(groups));
        _alpha = alpha;
        _beta = beta;
        _l1 = l1;
        _l2 = l2;
    }

    /// <inheritdoc />
    public override string Kind => "ftrl";

    /// <inheritdoc />
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay)
        => OptimizerSteps.Ftrl(w, g, state[0].AsSpan(offset, w.Length), state[1].AsSpan(offset, w.Length), _alpha, _beta, _l1, _l2);

    /// <inheritdoc />
    protected override void UpdateRows(Span<float> w, ReadOnlySpan<float> g, float[][] state, int dim, ReadOnlySpan<int> rows, float lr, float weightDecay)
        => OptimizerSteps.FtrlRows(w, g, state[0], state[1], dim, rows, _alpha, _beta, _l1, _l2);
}

/// <summary>Gradient clipping.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / ‖g‖) where ‖g‖ is the L2 norm over every parameter's gradient (only
    /// touched rows for sparse tables). Returns the norm before clipping.
    /// </summary>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        if (maxNorm <= 0f) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be > 0.");
        double sq = 0;
        for (int i = 0; i < parameters.Count; i++) sq += Visit(parameters[i], 1f);
        float norm = (float)Math.Sqrt(sq);
        if (norm > maxNorm)
        {
            float scale = maxNorm / (norm + 1e-6f);
            for (int i = 0; i < parameters.Count; i++) Visit(parameters[i], scale);
        }
        return norm;
    }

    /// <summary>Returns Σ g² over the parameter's live gradient (touched rows for sparse) and then scales it by <paramref name="scale"/>.</summary>
    private static double Visit(Parameter p, float scale)
    {
        var grad = p.Grad;
        if (grad is null) return 0;
        var g = grad.Span;
        var sparse = p.SparseRows;
        if (sparse is null)
        {
            double s = System.Numerics.Tensors.TensorPrimitives.Dot(g, g);
            if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(g, scale, g);
            return s;
        }
        int dim = p.Value.Dim(1);
        double sum = 0;
        foreach (int r in sparse.Rows)
        {
            var row = g.Slice(r * dim, dim);
            sum += System.Numerics.Tensors.TensorPrimitives.Dot(row, row);
            if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
        }
        return sum;
    }
}
