using Cascade.Kernels;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

/// <summary>
/// Optimizer.Step cuts a large step into two runs of parameters, the second on the GEMM pool's worker: results must
/// be bit-identical to one thread, every parameter updated exactly once, and optimizers that do not opt in stay serial.
/// </summary>
public class ParallelOptimizerStepTests
{
    /// <summary>A tower's worth of parameters (≈ 190 k elements, above the 64 k threshold) plus a lazy table.</summary>
    private static Parameter[] Model() =>
    [
        new(Tensor.Randn([300, 300], seed: 1, std: 0.1f)),
        new(Tensor.Randn([300], seed: 2, std: 0.1f), group: Parameter.NoDecayGroup),
        new(Tensor.Randn([300, 200], seed: 3, std: 0.1f)),
        new(Tensor.Randn([2000, 16], seed: 4, std: 0.1f), sparse: true, group: Parameter.EmbeddingGroup),
        new(Tensor.Randn([32, 300], seed: 5, std: 0.1f)),
    ];

    private static void Step(Parameter[] ps, Optimizer opt, int step)
    {
        opt.ZeroGrad();
        Tensor loss = Ops.Sum(Ops.Mul(Ops.Mul(ps[3].Value.Detach(), 0f), 0f)); // a scalar to accumulate into
        for (int i = 0; i < ps.Length; i++)
        {
            var x = i == 3
                ? Ops.Embedding(ps[3].Value, new IntTensor([.. Enumerable.Range(0, 64).Select(r => (r * 37 + step * 11) % 2000)], [64]))
                : ps[i].Value;
            var c = Tensor.Uniform(x.Shape, seed: (ulong)(100 * step + i), -1f, 1f);
            loss = Ops.Add(loss, Ops.Sum(Ops.Mul(Ops.Mul(x, x), c)));
        }
        loss.Backward();
        opt.Step();
    }

    [Theory]
    [MemberData(nameof(OptimizerKinds.All), MemberType = typeof(OptimizerKinds))]
    public void TwoThreadsGiveTheSameBitsAsOne(string kind)
    {
        var serial = Model();
        var parallel = Model();
        float decay = kind == "ftrl" ? 0f : 0.001f; // FTRL regularises through l1/l2 and rejects weight decay
        var optSerial = OptimizerKinds.Make(kind, ParameterGroup.ByTag(serial, 0.01f, decay));
        var optParallel = OptimizerKinds.Make(kind, ParameterGroup.ByTag(parallel, 0.01f, decay));
        int before = Gemm.MaxThreads;
        try
        {
            for (int step = 0; step < 4; step++)
            {
                Gemm.MaxThreads = 1;
                Step(serial, optSerial, step);
                Gemm.MaxThreads = Math.Max(2, before);
                Step(parallel, optParallel, step);
            }
        }
        finally { Gemm.MaxThreads = before; }
        for (int i = 0; i < serial.Length; i++) Assert.Equal(serial[i].Value.ToArray(), parallel[i].Value.ToArray());
        Assert.NotEqual(Model()[0].Value.ToArray(), parallel[0].Value.ToArray());
    }

    /// <summary>Records which thread updated each parameter; opts in to parallel updates or not.</summary>
    private sealed class Recording(IEnumerable<ParameterGroup> groups, bool independent) : Optimizer(groups, [])
    {
        public readonly System.Collections.Concurrent.ConcurrentBag<(int Size, int Thread)> Calls = [];

        public override string Kind => "recording";

        protected override bool UpdatesAreIndependent => independent;

        protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] state, int offset, float lr, float weightDecay)
        {
            Calls.Add((w.Length, Environment.CurrentManagedThreadId));
            for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i];
        }
    }

    [Fact]
    public void LargeStepsSplitAcrossTwoThreadsAndOthersStaySerial()
    {
        var ps = Model();
        var parallel = new Recording([new ParameterGroup(ps, 0.01f)], independent: true);
        bool split = false;
        // Another test's GEMM may own the pool for a moment (the step then runs serially): try a few steps.
        for (int step = 0; step < 50 && !split && Environment.ProcessorCount > 1; step++)
        {
            parallel.Calls.Clear();
            Step(ps, parallel, step);
            // Each dense parameter once, the table once per touched row (64 rows).
            Assert.Equal(4 + 64, parallel.Calls.Count);
            split = parallel.Calls.Select(c => c.Thread).Distinct().Count() == 2;
        }
        Assert.Equal(Environment.ProcessorCount > 1 && Gemm.MaxThreads > 1, split);

        var serial = new Recording([new ParameterGroup(ps, 0.01f)], independent: false);
        for (int step = 0; step < 5; step++)
        {
            serial.Calls.Clear();
            Step(ps, serial, step);
            Assert.Equal([Environment.CurrentManagedThreadId], serial.Calls.Select(c => c.Thread).Distinct());
        }
    }
}
