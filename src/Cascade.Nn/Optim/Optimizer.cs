namespace Cascade.Nn.Optim;

/// <summary>
/// Base of all optimizers: parameter groups (own learning rate and weight decay), a learning-rate schedule, and
/// per-parameter state slots (e.g. Adam's m and v) allocated once at construction, so a step allocates nothing.
/// Dense parameters are updated in full; sparse tables (<see cref="Parameter.IsSparse"/>) lazily: only the rows in
/// <see cref="Parameter.SparseRows"/> change, weights and state alike, and their weight decay is applied to those
/// rows only. Call order per step: <c>ZeroGrad()</c> → forward → <c>Backward()</c> → <c>Step()</c>.
/// </summary>
public abstract class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly Entry[] _entries;
    private readonly string[] _slots;

    private sealed record Entry(Parameter Parameter, int Group, float[][] State);

    /// <summary>Creates the optimizer with state slots named <paramref name="slotNames"/>, each initialised to <paramref name="initialValue"/>.</summary>
    protected Optimizer(IEnumerable<ParameterGroup> groups, string[] slotNames, float initialValue = 0f)
    {
        _groups = groups.ToArray();
        if (_groups.Length == 0) throw new ArgumentException("An optimizer needs at least one parameter group.", nameof(groups));
        _slots = slotNames;
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var entries = new List<Entry>();
        for (int gi = 0; gi < _groups.Length; gi++)
        {
            var group = _groups[gi];
            if (group.LearningRate < 0f || float.IsNaN(group.LearningRate))
                throw new ArgumentOutOfRangeException(nameof(groups), group.LearningRate, $"Parameter group '{group.Name}' has an invalid learning rate.");
            foreach (var p in group.Parameters)
            {
                if (!seen.Add(p)) throw new ArgumentException($"Parameter {p} appears in more than one group (second: '{group.Name}').", nameof(groups));
                var state = new float[slotNames.Length][];
                for (int s = 0; s < state.Length; s++)
                {
                    state[s] = new float[p.Size];
                    if (initialValue != 0f) state[s].AsSpan().Fill(initialValue);
                }
                entries.Add(new Entry(p, gi, state));
            }
        }
        _entries = entries.ToArray();
        _updateFirstRun = () => UpdateEntries(0, _split);
        _updateSecondRun = () => UpdateEntries(_split, _entries.Length);
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>Names of the per-parameter state slots (checkpoint keys are <c>{parameter}.{slot}</c>).</summary>
    public IReadOnlyList<string> SlotNames => _slots;

    /// <summary>Learning-rate schedule (constant by default).</summary>
    public ILearningRateSchedule Schedule { get; set; } = ConstantSchedule.Instance;

    /// <summary>Number of completed steps.</summary>
    public int StepCount { get; private set; }

    /// <summary>Optimizer name stored in checkpoints ("adam", "sgd", ...).</summary>
    public abstract string Kind { get; }

    /// <summary>The learning rate of <paramref name="group"/> at the next step (base · schedule factor).</summary>
    public float LearningRate(int group = 0) => _groups[group].LearningRate * Schedule.Factor(StepCount);

    /// <summary>
    /// Applies one update to every parameter that has a gradient. When the subclass declares its updates
    /// independent (<see cref="UpdatesAreIndependent"/>, true for every built-in optimizer) and the step touches at
    /// least <see cref="ParallelStepMinElements"/> elements, the parameters are cut into two runs of about equal
    /// work and the second run goes to the GEMM pool's worker (<see cref="Cascade.Kernels.Gemm.TryFork"/>): each
    /// parameter is still updated by exactly the same code, so results are bit-identical at any thread count.
    /// </summary>
    public void Step()
    {
        _stepFactor = Schedule.Factor(StepCount);
        StepCount++;
        BeginStep(StepCount);
        int split = UpdatesAreIndependent ? BalancedSplit() : -1;
        if (split > 0 && Cascade.Kernels.Gemm.TryFork(_updateFirstRun, _updateSecondRun)) return;
        UpdateEntries(0, _entries.Length);
    }

    /// <summary>Steps touching fewer elements than this run on one thread: ~0.1 ms of Adam, the order of a wake-up on a loaded machine.</summary>
    public const int ParallelStepMinElements = 1 << 16;

    /// <summary>
    /// Whether <see cref="Update"/> and <see cref="UpdateRows"/> of different parameters may run at the same time
    /// (they touch only the parameter's own weights, gradient and state slots). False by default, so an optimizer
    /// written outside this library stays single-threaded unless it opts in.
    /// </summary>
    protected virtual bool UpdatesAreIndependent => false;

    private float _stepFactor;
    private int _split;
    private readonly Action _updateFirstRun, _updateSecondRun; // created once: a step allocates nothing

    /// <summary>
    /// The entry index that halves this step's work (dense size, or touched rows × width for lazy tables), or −1
    /// when the step is too small or one parameter dominates so that a split would leave a thread nearly idle.
    /// </summary>
    private int BalancedSplit()
    {
        long total = 0;
        foreach (var e in _entries) total += Work(e.Parameter);
        if (total < ParallelStepMinElements) return -1;
        long half = 0;
        for (int i = 0; i < _entries.Length; i++)
        {
            long w = Work(_entries[i].Parameter);
            if (half + w > total / 2)
            {
                // Put the straddling parameter on the side that ends closer to half.
                int cut = (half + w - total / 2) < (total / 2 - half) ? i + 1 : i;
                if (cut <= 0 || cut >= _entries.Length) return -1;
                _split = cut;
                return cut;
            }
            half += w;
        }
        return -1;

        static long Work(Parameter p) => p.Grad is null ? 0
            : p.SparseRows is { } touched ? (long)touched.Count * p.Value.Dim(1) : p.Size;
    }

    private void UpdateEntries(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            var e = _entries[i];
            var p = e.Parameter;
            var grad = p.Grad;
            if (grad is null) continue;
            var group = _groups[e.Group];
            float lr = group.LearningRate * _stepFactor;
            if (p.SparseRows is { } touched)
            {
                if (touched.Count == 0) continue;
                UpdateRows(p.Value.Span, grad.Span, e.State, p.Value.Dim(1), touched.Rows, lr, group.WeightDecay);
            }
            else
            {
                Update(p.Value.Span, grad.Span, e.State, 0, lr, group.WeightDecay);
            }
        }
    }

    /// <summary>Clears the gradients of every parameter of every group.</summary>
    public void ZeroGrad()
    {
        foreach (var e in _entries) e.Parameter.ZeroGrad();
    }

    /// <summary>Called once per step before the updates with the 1-based step number (Adam computes its bias corrections here).</summary>
    protected virtual void BeginStep(int step) { }

    /// <summary>
    /// Updates one contiguous span: <paramref name="w"/> and <paramref name="g"/> are the span, the state slots are
    /// full-size arrays read from <paramref name="offset"/>.
    /// </summary>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay);

    /// <summary>Updates the listed rows of a (V, dim) table; the default calls <see cref="Update"/> per row.</summary>
    protected virtual void UpdateRows(Span<float> w, ReadOnlySpan<float> g, float[][] state, int dim, ReadOnlySpan<int> rows, float lr, float weightDecay)
    {
        foreach (int r in rows)
        {
            int o = r * dim;
            Update(w.Slice(o, dim), g.Slice(o, dim), state, o, lr, weightDecay);
        }
    }

    /// <summary>The state of <paramref name="parameter"/> by slot name (live arrays; for checkpoints and tests).</summary>
    public IReadOnlyList<(string Slot, float[] Values)> State(Parameter parameter)
    {
        foreach (var e in _entries)
            if (ReferenceEquals(e.Parameter, parameter)) return _slots.Select((s, i) => (s, e.State[i])).ToList();
        throw new ArgumentException($"Parameter {parameter} is not managed by this optimizer.", nameof(parameter));
    }

    /// <summary>Every managed parameter, in group order.</summary>
    public IEnumerable<Parameter> ManagedParameters() => _entries.Select(e => e.Parameter);

    /// <summary>Restores the step counter (checkpoint loading); state arrays are written through <see cref="State"/>.</summary>
    public void RestoreStepCount(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        StepCount = steps;
    }
}
