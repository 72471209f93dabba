namespace Cascade.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Marks this tensor as the output of <paramref name="op"/> over <paramref name="inputs"/>; the output requires
    /// gradients. Ops call this only when <see cref="Autograd.ShouldRecord(ReadOnlySpan{Tensor})"/> is true.
    /// </summary>
    public Tensor Record(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        GradFn = new GradNode(op, inputs, backward);
        RequiresGrad = true;
        return this;
    }

    /// <summary>Back-propagates from a scalar (one-element) tensor with seed gradient 1.</summary>
    public void Backward()
    {
        if (Size != 1) throw new InvalidOperationException($"Backward() without a seed needs a scalar, got shape {ShapeUtil.Format(_shape)}; pass a gradient of the same shape.");
        var seed = Zeros(_shape);
        seed.Span[0] = 1f;
        Backward(seed);
    }

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (same shape as this tensor) through the recorded graph, accumulating
    /// into <see cref="Grad"/> of every tensor that requires gradients. Gradients accumulate across calls until
    /// <see cref="ZeroGrad"/>.
    /// </summary>
    public void Backward(Tensor seed)
    {
        if (!seed.SameShape(this)) throw new ArgumentException($"Backward seed has shape {ShapeUtil.Format(seed._shape)}, expected {ShapeUtil.Format(_shape)}.");
        if (!RequiresGrad) throw new InvalidOperationException("Backward() on a tensor that does not require gradients: no parameter reached it (was it computed under Autograd.NoGrad() or from detached inputs?).");
        var root = this;
        Backward(new ReadOnlySpan<Tensor>(in root), new ReadOnlySpan<Tensor>(in seed));
    }

    /// <summary>
    /// Back-propagates several roots at once, as if from Σ_i ⟨seed_i, root_i⟩: one topological order over the union
    /// of their graphs, each root's gradient seeded (copied into a fresh intermediate gradient, added to a leaf's),
    /// then every node once in reverse order. <see cref="ParallelBranches"/> uses it for the outputs of one branch.
    /// </summary>
    internal static void Backward(ReadOnlySpan<Tensor> roots, ReadOnlySpan<Tensor> seeds)
    {
        // The sort's buffers are thread-static and reused (0.8 KB per Backward() before); a backward closure that
        // itself calls Backward() finds the slot empty and gets fresh buffers, so re-entrancy stays correct.
        var buffers = t_sortBuffers ?? new SortBuffers();
        t_sortBuffers = null;
        try
        {
            var order = buffers.Order;
            foreach (var root in roots)
                if (!buffers.Visited.Contains(root)) TopologicalOrder(root, buffers);
            // Intermediate gradients start empty for this pass; leaves keep accumulating.
            foreach (var t in order) if (t.GradFn is not null) t.Grad = null;
            for (int i = 0; i < roots.Length; i++)
            {
                var root = roots[i];
                bool fresh = root.GradFn is not null && root.Grad is null;
                var g = root.GradSpanForAccumulate();
                if (fresh) seeds[i].Span.CopyTo(g);
                else System.Numerics.Tensors.TensorPrimitives.Add(g, seeds[i].Span, g);
            }
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                if (t.GradFn is null || t.Grad is null) continue;
                t.GradFn.Backward(t.Grad);
            }
        }
        finally
        {
            buffers.Clear();
            t_sortBuffers = buffers;
        }
    }

    /// <summary>Adds to <paramref name="leaves"/> every tensor under <paramref name="roots"/> that requires gradients and has no
    /// <see cref="GradFn"/> (parameters, embedding tables): what a backward pass from the roots writes gradients into.</summary>
    internal static void CollectLeaves(ReadOnlySpan<Tensor> roots, HashSet<Tensor> leaves, HashSet<Tensor> visited, Stack<Tensor> stack)
    {
        foreach (var root in roots)
            if (visited.Add(root)) stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.GradFn is null) { leaves.Add(node); continue; }
            foreach (var child in node.GradFn.Inputs)
                if (child.RequiresGrad && visited.Add(child)) stack.Push(child);
        }
    }

    /// <summary>The topological sort's work lists, kept per thread between passes (cleared, capacity kept).</summary>
    private sealed class SortBuffers
    {
        public readonly List<Tensor> Order = [];
        public readonly HashSet<Tensor> Visited = new(ReferenceEqualityComparer.Instance);
        public readonly Stack<(Tensor Node, int Next)> Stack = new();

        /// <summary>Drops the references (so the graph can be collected) but keeps the capacity.</summary>
        public void Clear()
        {
            Order.Clear();
            Visited.Clear();
            Stack.Clear();
        }
    }

    [ThreadStatic] private static SortBuffers? t_sortBuffers;

    /// <summary>Fills <c>buffers.Order</c> with the graph under <paramref name="root"/>, children before parents, root last.</summary>
    private static void TopologicalOrder(Tensor root, SortBuffers buffers)
    {
        var order = buffers.Order;
        var visited = buffers.Visited;
        var stack = buffers.Stack;
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.GradFn?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(node);
            }
        }
    }
}
