using Cascade.Kernels;
using Cascade.Tensors;

namespace Cascade.Tensors.Tests;

/// <summary>
/// <see cref="ParallelBranches"/>: the same outputs and gradients as running the branches in turn without it, bit
/// for bit when the branches share no leaf, at 1 and 2 threads; the caller's no-grad state and arena reach the
/// second thread.
/// </summary>
public class ParallelBranchesTests
{
    /// <summary>Parameters and inputs of a small two-tower graph; each tower is Linear → ReLU → Linear.</summary>
    private sealed class Towers
    {
        // 96×128×128 ≈ 1.6 M multiply-adds per layer: above the GEMM's threading threshold, as in a real tower.
        public const int Batch = 96, Width = 128;
        public readonly Tensor X = Tensor.Uniform([Batch, Width], seed: 1, -1f, 1f);
        public readonly Tensor Y = Tensor.Uniform([Batch, Width], seed: 2, -1f, 1f);
        public readonly Tensor U1 = Tensor.Randn([Width, Width], seed: 3, std: 0.1f, requiresGrad: true);
        public readonly Tensor U2 = Tensor.Randn([Width, Width], seed: 4, std: 0.1f, requiresGrad: true);
        public readonly Tensor V1 = Tensor.Randn([Width, Width], seed: 5, std: 0.1f, requiresGrad: true);
        public readonly Tensor V2 = Tensor.Randn([Width, Width], seed: 6, std: 0.1f, requiresGrad: true);
        public readonly Tensor Ub = Tensor.Randn([Width], seed: 7, std: 0.1f, requiresGrad: true);

        public Tensor[] Parameters => [U1, U2, V1, V2, Ub];

        public Tensor Left(Tensor w2) => Ops.Linear(Ops.Relu(Ops.Linear(X, U1, Ub)), w2, null);   // (B, W)

        public Tensor Right(Tensor w2) => Ops.Linear(Ops.Relu(Ops.Linear(Y, V1, null)), w2, null); // (B, W)

        /// <summary>Σ (left ⊙ right) + 0.5 Σ left²: the left output has two consumers.</summary>
        public static Tensor Loss(Tensor left, Tensor right) =>
            Ops.Add(Ops.Sum(Ops.Mul(left, right)), Ops.Mul(Ops.Sum(Ops.Mul(left, left)), 0.5f));

        public float[][] Gradients(Func<Tensor> loss)
        {
            foreach (var p in Parameters) p.ZeroGrad();
            loss().Backward();
            return Parameters.Select(p => p.Grad?.ToArray() ?? []).ToArray(); // unused parameters: none
        }
    }

    private static T WithThreads<T>(int threads, Func<T> f)
    {
        int before = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try { return f(); }
        finally { Gemm.MaxThreads = before; }
    }

    /// <summary>Equal to float rounding of a reordered sum: 1e-5 relative (gradients here reach ~100).</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-5f * MathF.Max(1f, MathF.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void GradientsAreBitIdenticalToRunningTheBranchesInTurn()
    {
        var t = new Towers();
        var expected = t.Gradients(() => Towers.Loss(t.Left(t.U2), t.Right(t.V2)));
        foreach (int threads in new[] { 2, 1 })
        {
            for (int rep = 0; rep < 3; rep++)
            {
                var got = WithThreads(threads, () => t.Gradients(() =>
                {
                    var (l, r) = ParallelBranches.Run(() => [t.Left(t.U2)], () => [t.Right(t.V2)]);
                    Assert.Equal("branch_output", l[0]!.GradFn!.Op);
                    return Towers.Loss(l[0]!, r[0]!);
                }));
                for (int p = 0; p < expected.Length; p++) Assert.Equal(expected[p], got[p]);
            }
        }
    }

    [Fact]
    public void SharedLeavesGiveTheSameBitsAtEveryThreadCountAndMatchTheSerialGraph()
    {
        // Both towers end in U2: the branches write the same leaf, so their backward passes run one after the other.
        var t = new Towers();
        var serial = t.Gradients(() => Towers.Loss(t.Left(t.U2), t.Right(t.U2)));
        Tensor Branched()
        {
            var (l, r) = ParallelBranches.Run(() => [t.Left(t.U2)], () => [t.Right(t.U2)]);
            return Towers.Loss(l[0]!, r[0]!);
        }
        var one = WithThreads(1, () => t.Gradients(Branched));
        var two = WithThreads(2, () => t.Gradients(Branched));
        for (int p = 0; p < serial.Length; p++)
        {
            Assert.Equal(one[p], two[p]);
            // Only U2's two contributions may be summed in another order than the whole-graph pass: float rounding.
            AssertClose(serial[p], one[p]);
        }
    }

    [Fact]
    public void BranchesSharingAnEmbeddingTableRecordEveryTouchedRow()
    {
        // Both branches look up one fresh table (first lookups race to create its touched-row set): the rows of
        // both must end up in the one set the optimizer reads, and the gradient must match the serial graph.
        for (int rep = 0; rep < 5; rep++)
        {
            var serialTable = Tensor.Randn([50, 8], seed: 21, std: 0.1f, requiresGrad: true);
            var table = Tensor.Randn([50, 8], seed: 21, std: 0.1f, requiresGrad: true);
            var leftIds = new IntTensor([1, 3, 5, 7], [4]);
            var rightIds = new IntTensor([2, 3, 11, 40], [4]);
            Tensor Tower(Tensor t, IntTensor ids) => Ops.Tanh(Ops.Embedding(t, ids));
            Ops.Sum(Ops.Mul(Tower(serialTable, leftIds), Tower(serialTable, rightIds))).Backward();
            var (l, r) = ParallelBranches.Run(() => [Tower(table, leftIds)], () => [Tower(table, rightIds)]);
            Ops.Sum(Ops.Mul(l[0]!, r[0]!)).Backward();
            Assert.NotNull(table.TouchedRows);
            Assert.Equal(new[] { 1, 2, 3, 5, 7, 11, 40 }, table.TouchedRows!.Rows.ToArray().Order());
            AssertClose(serialTable.Grad!.ToArray(), table.Grad!.ToArray());
        }
    }

    [Fact]
    public void SeveralOutputsPerBranchNullsAndUnusedOutputs()
    {
        // Left returns h and g(h) (shared sub-graph: one multi-root pass), a null, and an output the loss ignores.
        var t = new Towers();
        Tensor[] LeftParts() { var h = t.Left(t.U2); return [h, Ops.Tanh(h)]; }
        var serial = t.Gradients(() =>
        {
            var parts = LeftParts();
            return Ops.Add(Towers.Loss(parts[0], t.Right(t.V2)), Ops.Sum(parts[1]));
        });
        var got = t.Gradients(() =>
        {
            var (l, r) = ParallelBranches.Run(() => [.. LeftParts(), null], () => [t.Right(t.V2), t.Right(t.V1)]);
            Assert.Null(l[2]);
            return Ops.Add(Towers.Loss(l[0]!, r[0]!), Ops.Sum(l[1]!));
        });
        for (int p = 0; p < serial.Length; p++) AssertClose(serial[p], got[p]);
    }

    [Fact]
    public void NoGradReachesTheSecondThreadAndOutputsMatch()
    {
        var t = new Towers();
        var left = t.Left(t.U2).ToArray();
        var right = t.Right(t.V2).ToArray();
        using (Autograd.NoGrad())
        {
            for (int rep = 0; rep < 3; rep++)
            {
                var (l, r) = ParallelBranches.Run(() => [t.Left(t.U2)], () => [t.Right(t.V2)]);
                Assert.False(l[0]!.RequiresGrad);
                Assert.False(r[0]!.RequiresGrad); // computed on the worker: it must not record a graph either
                Assert.Null(r[0]!.GradFn);
                Assert.Equal(left, l[0]!.ToArray());
                Assert.Equal(right, r[0]!.ToArray());
            }
        }
    }

    [Fact]
    public void ArenaSteadyStateAndBranchExceptions()
    {
        var t = new Towers();
        foreach (int threads in new[] { 1, 2 })
        {
            var arena = new TensorArena();
            var capacity = WithThreads(threads, () =>
            {
                var c = new long[6];
                for (int step = 0; step < c.Length; step++)
                {
                    using (arena.Activate())
                    {
                        var (l, r) = ParallelBranches.Run(() => [t.Left(t.U2)], () => [t.Right(t.V2)]);
                        Towers.Loss(l[0]!, r[0]!).Backward();
                    }
                    c[step] = arena.CapacityFloats;
                }
                return c;
            });
            Assert.True(capacity[0] > 0);
            if (threads == 1) Assert.All(capacity, c => Assert.Equal(capacity[0], c));
            // At 2 threads a step forks unless another test's GEMM owns the pool; the second thread's buffers come
            // from the companion arena, so the total stays within one serial step's buffers plus one branch's.
            else Assert.True(capacity[^1] <= 2 * capacity[0], $"arena grew to {capacity[^1]} floats from {capacity[0]}");
        }
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ParallelBranches.Run(() => [t.Left(t.U2)], () => throw new InvalidOperationException("right tower failed")));
        Assert.Equal("right tower failed", ex.Message);
        Assert.Throws<ArgumentNullException>(() => ParallelBranches.Run(null!, () => []));
    }
}
