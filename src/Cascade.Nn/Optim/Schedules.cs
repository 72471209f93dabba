namespace Cascade.Nn.Optim;

/// <summary>A learning-rate multiplier as a function of the 0-based step; the optimizer's rate is base · Factor(step).</summary>
public interface ILearningRateSchedule
{
    /// <summary>Multiplier of the base learning rate at <paramref name="step"/> (0 for the first update).</summary>
    float Factor(int step);
}

/// <summary>Factor 1 at every step.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>The shared instance.</summary>
    public static readonly ConstantSchedule Instance = new();

    /// <inheritdoc />
    public float Factor(int step) => 1f;
}

/// <summary>Step decay: factor = γ^⌊step / stepSize⌋ (e.g. γ = 0.1 every 30 epochs' worth of steps).</summary>
public sealed class StepSchedule : ILearningRateSchedule
{
    private readonly int _stepSize;
    private readonly float _gamma;

    /// <summary>Decays by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public StepSchedule(int stepSize, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        _stepSize = stepSize;
        _gamma = gamma;
    }

    /// <inheritdoc />
    public float Factor(int step) => MathF.Pow(_gamma, step / _stepSize);
}

/// <summary>
/// Cosine annealing (Loshchilov &amp; Hutter 2017) over <c>totalSteps</c>:
/// factor = min + (1 − min) · (1 + cos(π · min(step, T) / T)) / 2, so 1 at step 0 and <c>minFactor</c> from step T on.
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    private readonly int _total;
    private readonly float _min;

    /// <summary>Anneals from 1 to <paramref name="minFactor"/> over <paramref name="totalSteps"/> steps.</summary>
    public CosineSchedule(int totalSteps, float minFactor = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        _total = totalSteps;
        _min = minFactor;
    }

    /// <inheritdoc />
    public float Factor(int step)
    {
        double progress = Math.Min(step, _total) / (double)_total;
        return (float)(_min + (1 - _min) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}

/// <summary>
/// Linear warm-up in front of any schedule: factor = (step + 1) / W · inner(0) for step &lt; W, then inner(step − W),
/// so the inner schedule starts its own clock when warm-up ends.
/// </summary>
public sealed class WarmupSchedule : ILearningRateSchedule
{
    private readonly int _warmup;
    private readonly ILearningRateSchedule _inner;

    /// <summary>Warms up over <paramref name="warmupSteps"/> steps, then follows <paramref name="inner"/> (constant when null).</summary>
    public WarmupSchedule(int warmupSteps, ILearningRateSchedule? inner = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmupSteps, 1);
        _warmup = warmupSteps;
        _inner = inner ?? ConstantSchedule.Instance;
    }

    /// <inheritdoc />
    public float Factor(int step) => step < _warmup ? (step + 1f) / _warmup * _inner.Factor(0) : _inner.Factor(step - _warmup);
}
