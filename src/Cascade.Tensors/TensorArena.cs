namespace Cascade.Tensors;

/// <summary>
/// A pool of float buffers and tensor objects for the tensors of one training or inference step. While an arena is
/// active on a thread (<see cref="Activate"/>), new tensors (and views such as reshapes) take a pooled object and rent
/// an exact-size buffer from it; disposing the activation returns them all. With fixed batch shapes the second step
/// allocates no buffers and no tensor objects: those of the first step are reused. Tensors created inside an
/// activation must not be used after it ends, not even for their shape (copy them out with <see cref="Tensor.Clone"/>).
/// </summary>
/// <example>
/// <code>
/// var arena = new TensorArena();
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using (arena.Activate()) { var loss = model.Loss(batch); loss.Backward(); optimizer.Step(); }
/// }
/// </code>
/// </example>
public sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? t_current;

    private readonly Dictionary<int, Stack<float[]>> _free = new();
    private readonly List<float[]> _rented = new();
    // Tensor objects and their shape arrays (by rank) are pooled like the buffers: with fixed shapes a step after the
    // first allocates no tensor objects either (the user towers of one serving request made ~90 of them, ~9 KB).
    private readonly Stack<Tensor> _freeTensors = new();
    private readonly List<Tensor> _rentedTensors = new();
    private readonly Stack<int[]>[] _freeShapes = [.. Enumerable.Range(0, MaxPooledRank + 1).Select(_ => new Stack<int[]>())];
    private const int MaxPooledRank = 8;
    // Index tensors (hashed ids, bag offsets) the same way: exact-size int buffers, objects, shapes.
    private readonly Dictionary<int, Stack<int[]>> _freeInts = new();
    private readonly Stack<IntTensor> _freeIntTensors = new();
    private readonly List<IntTensor> _rentedIntTensors = new();
    private bool _active;
    private TensorArena? _companion; // the second thread's buffers during ParallelBranches (returned with ours)

    /// <summary>The arena active on this thread, if any.</summary>
    public static TensorArena? Current => t_current;

    /// <summary>Total floats held by the arena (rented and free), for memory reports.</summary>
    public long CapacityFloats => _capacityFloats + (_companion?.CapacityFloats ?? 0);

    private long _capacityFloats;

    /// <summary>Makes this arena the current one on this thread until the scope is disposed.</summary>
    public Scope Activate()
    {
        if (_active) throw new InvalidOperationException("This TensorArena is already active; arenas do not nest with themselves.");
        _active = true;
        var previous = t_current;
        t_current = this;
        return new Scope(this, previous);
    }

    /// <summary>A tensor of this arena: pooled object, pooled shape array, rented buffer (zeroed if asked).</summary>
    internal Tensor NewTensor(ReadOnlySpan<int> shape, bool zero)
    {
        var s = RentShape(shape);
        var buf = Rent(ShapeUtil.Numel(s));
        if (zero) Array.Clear(buf);
        return Pooled(buf, 0, s);
    }

    /// <summary>A pooled tensor object viewing <paramref name="data"/> (not rented: it belongs to another tensor).</summary>
    internal Tensor NewView(float[] data, int offset, ReadOnlySpan<int> shape) => Pooled(data, offset, RentShape(shape));

    private Tensor Pooled(float[] data, int offset, int[] shape)
    {
        Tensor t;
        if (_freeTensors.TryPop(out var free)) { free.Reuse(data, offset, shape); t = free; }
        else t = new Tensor(data, offset, shape);
        _rentedTensors.Add(t);
        return t;
    }

    /// <summary>An index tensor of this arena: pooled object and shape, rented exact-size buffer (not cleared).</summary>
    internal IntTensor NewIntTensor(ReadOnlySpan<int> shape)
    {
        var s = RentShape(shape);
        int n = ShapeUtil.Numel(s);
        var data = n == 0 ? [] : _freeInts.TryGetValue(n, out var stack) && stack.TryPop(out var free) ? free : new int[n];
        IntTensor t;
        if (_freeIntTensors.TryPop(out var pooled)) { pooled.Reuse(data, s); t = pooled; }
        else t = new IntTensor(data, s);
        _rentedIntTensors.Add(t);
        return t;
    }

    private int[] RentShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxPooledRank) return shape.ToArray();
        var s = _freeShapes[shape.Length].TryPop(out var free) ? free : new int[shape.Length];
        shape.CopyTo(s);
        return s;
    }

    internal float[] Rent(int size)
    {
        if (size == 0) return [];
        if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
        {
            var buf = stack.Pop();
            _rented.Add(buf);
            return buf;
        }
        var fresh = GC.AllocateUninitializedArray<float>(size);
        _capacityFloats += size;
        _rented.Add(fresh);
        return fresh;
    }

    /// <summary>
    /// Makes this arena's companion current on the calling thread (a second thread working for the same step, see
    /// <see cref="ParallelBranches"/>) until the scope is disposed. The companion's buffers stay rented after that
    /// and are returned together with this arena's when this arena's activation ends, so tensors the second
    /// thread created live exactly as long as the step's own. One thread at a time may use the companion.
    /// </summary>
    internal CompanionScope ShareWithCurrentThread()
    {
        var companion = _companion ??= new TensorArena();
        var previous = t_current;
        t_current = companion;
        return new CompanionScope(previous);
    }

    /// <summary>Scope of <see cref="ShareWithCurrentThread"/>: restores the thread's previous arena, returns nothing.</summary>
    internal readonly struct CompanionScope(TensorArena? previous) : IDisposable
    {
        /// <summary>Restores the previously current arena of this thread.</summary>
        public void Dispose() => t_current = previous;
    }

    private void ReturnAll()
    {
        _companion?.ReturnAll();
        foreach (var buf in _rented)
        {
            if (!_free.TryGetValue(buf.Length, out var stack)) _free[buf.Length] = stack = new Stack<float[]>();
            stack.Push(buf);
        }
        _rented.Clear();
        foreach (var t in _rentedTensors)
        {
            var shape = t.ShapeRef;
            if (shape.Length <= MaxPooledRank) _freeShapes[shape.Length].Push(shape);
            t.Release();
            _freeTensors.Push(t);
        }
        _rentedTensors.Clear();
        foreach (var t in _rentedIntTensors)
        {
            var shape = t.ShapeRef;
            if (shape.Length <= MaxPooledRank) _freeShapes[shape.Length].Push(shape);
            if (t.Data.Length > 0)
            {
                if (!_freeInts.TryGetValue(t.Data.Length, out var stack)) _freeInts[t.Data.Length] = stack = new Stack<int[]>();
                stack.Push(t.Data);
            }
            t.Reuse([], []);
            _freeIntTensors.Push(t);
        }
        _rentedIntTensors.Clear();
    }

    /// <summary>Active period of an arena; disposing it returns every rented buffer.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly TensorArena _arena;
        private readonly TensorArena? _previous;

        internal Scope(TensorArena arena, TensorArena? previous)
        {
            _arena = arena;
            _previous = previous;
        }

        /// <summary>Returns the buffers and restores the previously active arena.</summary>
        public void Dispose()
        {
            _arena.ReturnAll();
            _arena._active = false;
            t_current = _previous;
        }
    }
}
