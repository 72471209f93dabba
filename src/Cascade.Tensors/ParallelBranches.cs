using Cascade.Kernels;

namespace Cascade.Tensors;

/// <summary>
/// Runs two independent sub-graphs (the towers of a two-tower model) on two threads, forward and backward.
/// <see cref="Run"/> calls both forward functions concurrently (the second on the GEMM's pool worker through
/// <see cref="Gemm.TryFork"/>; both in order on this thread when no second core is free or <see cref="Gemm.MaxThreads"/>
/// is 1). With gradients on, the outputs come back as views cut from their branches and joined by one group node;
/// when a backward pass reaches that node (after every consumer of every output has sent its gradient), it
/// back-propagates the two branches, again concurrently.
/// </summary>
/// <remarks>
/// <para>Why: at batch 256 only ~55 % of a HIT training step is GEMM, so a 2-thread GEMM inside a serial step gained
/// only 1.28×; running the towers side by side puts everything inside them (GEMMs, batch norm, ReLU, embedding
/// gathers and scatters, generators) on two cores.</para>
/// <para>Results do not depend on the thread count, bit for bit: each branch runs exactly the ops it runs serially,
/// and a branch's backward visits its own nodes in the order a whole-graph pass would (its nodes are reachable only
/// through its outputs). The branches run their backward concurrently only when they write gradients into disjoint
/// leaves; when they share one (a table read by both towers), they run one after the other, left first, on any
/// thread count, so the accumulation order is fixed.</para>
/// <para>Contract: the two functions must not depend on each other and must not write shared state other than
/// through tensors they return; module state (batch-norm running statistics, dropout generators) must belong to one
/// branch. The second branch sees the caller's <see cref="TensorArena"/> (through a companion arena returned with
/// it) and the caller's <see cref="Autograd.NoGrad"/> state.</para>
/// </remarks>
/// <example>
/// <code>
/// var (u, v) = ParallelBranches.Run(() => [userTower.Forward(x)], () => [itemTower.Forward(y)]);
/// var score = Ops.CosineSimilarity(u[0]!, v[0]!);   // backward through score runs both towers' backward in parallel
/// </code>
/// </example>
public static class ParallelBranches
{
    /// <summary>
    /// Runs <paramref name="left"/> here and <paramref name="right"/> on the pool worker (or both here, left first)
    /// and returns their outputs (null entries stay null). Outputs that require gradients are returned as views
    /// joined to one group node; backward through them runs both branches' backward passes.
    /// </summary>
    /// <param name="left">First branch (runs on the calling thread).</param>
    /// <param name="right">Second branch (runs on the GEMM pool worker when one is free).</param>
    /// <returns>The outputs of each branch, in the order the functions returned them.</returns>
    public static (Tensor?[] Left, Tensor?[] Right) Run(Func<Tensor?[]> left, Func<Tensor?[]> right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        Tensor?[]? l = null, r = null;
        bool grad = Autograd.IsEnabled;
        var arena = TensorArena.Current;
        if (!Gemm.TryFork(() => l = left(), () => r = OnWorker(arena, grad, right)))
        {
            l = left();
            r = right();
        }
        if (l is null || r is null) throw new InvalidOperationException("ParallelBranches.Run: a branch returned null instead of an array of outputs.");
        return grad ? Join(l, r) : (l, r);
    }

    private static T OnWorker<T>(TensorArena? arena, bool grad, Func<T> work)
    {
        using var shared = arena is null ? default : arena.ShareWithCurrentThread();
        if (grad) return work();
        using (Autograd.NoGrad()) return work();
    }

    /// <summary>Replaces every output that requires gradients by a view whose backward feeds one group node.</summary>
    private static (Tensor?[] Left, Tensor?[] Right) Join(Tensor?[] left, Tensor?[] right)
    {
        var group = new Group(left, right);
        var node = Tensor.Zeros([1]);
        node.Record("parallel_branches", [], _ => group.Backward());
        return (group.Views(left, node), group.Views(right, node));
    }

    /// <summary>The two branches' outputs and their views; runs the branches' backward passes.</summary>
    private sealed class Group(Tensor?[] left, Tensor?[] right)
    {
        private readonly Tensor?[] _left = left, _right = right;
        private Tensor?[] _leftViews = [], _rightViews = [];

        public Tensor?[] Views(Tensor?[] outputs, Tensor node)
        {
            var views = new Tensor?[outputs.Length];
            for (int i = 0; i < outputs.Length; i++)
            {
                var o = outputs[i];
                if (o is null || !o.RequiresGrad) { views[i] = o; continue; }
                // The view's gradient is read by the group node; its own backward only wakes that node.
                views[i] = o.Detach().Record("branch_output", [node], _ => node.GradSpanForAccumulate());
            }
            if (ReferenceEquals(outputs, _left)) _leftViews = views;
            else _rightViews = views;
            return views;
        }

        public void Backward()
        {
            var (leftRoots, leftSeeds) = Seeds(_left, _leftViews);
            var (rightRoots, rightSeeds) = Seeds(_right, _rightViews);
            // One thread allowed: skip the leaf walk (the fork would decline anyway) and run in turn.
            bool canFork = Math.Min(Gemm.MaxThreads, Environment.ProcessorCount) > 1;
            if (!canFork || leftRoots.Length == 0 || rightRoots.Length == 0 || SharesLeaves(leftRoots, rightRoots))
            {
                Run(leftRoots, leftSeeds);
                Run(rightRoots, rightSeeds);
                return;
            }
            bool grad = Autograd.IsEnabled;
            var arena = TensorArena.Current;
            if (!Gemm.TryFork(() => Run(leftRoots, leftSeeds), () => OnWorker(arena, grad, () => Run(rightRoots, rightSeeds))))
            {
                Run(leftRoots, leftSeeds);
                Run(rightRoots, rightSeeds);
            }
        }

        private static bool Run(Tensor[] roots, Tensor[] seeds)
        {
            if (roots.Length > 0) Tensor.Backward(roots, seeds);
            return true;
        }

        /// <summary>The branch outputs whose views received a gradient, with those gradients.</summary>
        private static (Tensor[] Roots, Tensor[] Seeds) Seeds(Tensor?[] outputs, Tensor?[] views)
        {
            int n = 0;
            for (int i = 0; i < views.Length; i++) if (views[i] is { GradFn: not null, Grad: not null }) n++;
            var roots = new Tensor[n];
            var seeds = new Tensor[n];
            n = 0;
            for (int i = 0; i < views.Length; i++)
                if (views[i] is { GradFn: not null, Grad: { } g })
                {
                    roots[n] = outputs[i]!;
                    seeds[n++] = g;
                }
            return (roots, seeds);
        }

        private static bool SharesLeaves(Tensor[] left, Tensor[] right)
        {
            // Kept per thread and cleared after use: the walk touches ~200 nodes per step of HIT, and fresh sets
            // would allocate a few KB every step.
            var w = t_leafWalk ??= new LeafWalk();
            try
            {
                Tensor.CollectLeaves(left, w.Left, w.Visited, w.Stack);
                w.Visited.Clear();
                Tensor.CollectLeaves(right, w.Right, w.Visited, w.Stack);
                return w.Left.Overlaps(w.Right);
            }
            finally { w.Clear(); }
        }

        [ThreadStatic] private static LeafWalk? t_leafWalk;

        /// <summary>Work sets of <see cref="SharesLeaves"/> (references dropped after each use, capacity kept).</summary>
        private sealed class LeafWalk
        {
            public readonly HashSet<Tensor> Left = new(ReferenceEqualityComparer.Instance);
            public readonly HashSet<Tensor> Right = new(ReferenceEqualityComparer.Instance);
            public readonly HashSet<Tensor> Visited = new(ReferenceEqualityComparer.Instance);
            public readonly Stack<Tensor> Stack = new();

            public void Clear()
            {
                Left.Clear();
                Right.Clear();
                Visited.Clear();
                Stack.Clear();
            }
        }
    }
}
