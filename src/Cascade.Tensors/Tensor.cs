using System.Text;

namespace Cascade.Tensors;

/// <summary>
/// A dense, row-major float32 tensor with optional reverse-mode gradient tracking.
/// Storage is a slice (<see cref="Offset"/>, <see cref="Size"/>) of a float array that views share: a reshape or a
/// leading-axis slice is a view; other layout changes (transpose, permute) copy.
/// </summary>
/// <example>
/// <code>
/// var w = Tensor.Randn([3, 2], seed: 1, requiresGrad: true);
/// var y = Ops.Sum(Ops.MatMul(x, w));
/// y.Backward();            // w.Grad now holds dy/dw
/// </code>
/// </example>
public sealed partial class Tensor
{
    internal float[] _data;
    internal int _offset;
    private int[] _shape;

    /// <summary>Gradient accumulated by <see cref="Backward()"/>; null until a backward pass reaches this tensor.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>Whether gradients flow into this tensor (set for parameters; propagated to op outputs).</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The op that produced this tensor and how to send gradients to its inputs; null for leaves.</summary>
    public GradNode? GradFn { get; internal set; }

    /// <summary>Optional name used in error messages and checkpoints.</summary>
    public string? Name { get; set; }

    internal Tensor(float[] data, int offset, int[] shape) => Reuse(data, offset, shape);

    /// <summary>The dimensions, outermost first. Do not mutate the returned array.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The dimensions as an array (a copy).</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    internal int[] ShapeRef => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Size { get; private set; }

    // Sets storage and shape: for a new tensor, and for a tensor object of an arena's pool (TensorArena.NewTensor),
    // reused like its buffer when the activation ends.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_data), nameof(_shape))]
    internal void Reuse(float[] data, int offset, int[] shape)
    {
        _data = data;
        _offset = offset;
        _shape = shape;
        Size = ShapeUtil.Numel(shape);
        if (offset < 0 || offset + Size > data.Length)
            throw new ArgumentException($"Tensor of shape {ShapeUtil.Format(shape)} at offset {offset} does not fit in a buffer of {data.Length} floats.");
    }

    // Drops every reference an arena-pooled tensor holds, so a recycled object keeps nothing alive and carries no
    // gradient state into its next use.
    internal void Release()
    {
        _data = [];
        _offset = 0;
        Size = 0;
        Grad = null;
        GradFn = null;
        RequiresGrad = false;
        Name = null;
        _touchedRows = null;
    }

    /// <summary>Offset of the first element in the backing buffer.</summary>
    public int Offset => _offset;

    /// <summary>The backing buffer shared by views (advanced use: kernels that need an array).</summary>
    public float[] Buffer => _data;

    /// <summary>The elements as a span (row-major).</summary>
    public Span<float> Span => _data.AsSpan(_offset, Size);

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank)];

    /// <summary>Element access by multi-index (slow; for tests and small tensors).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => _data[_offset + ShapeUtil.FlatIndex(_shape, index)];
        set => _data[_offset + ShapeUtil.FlatIndex(_shape, index)] = value;
    }

    /// <summary>Scalar value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, this one has shape {ShapeUtil.Format(_shape)}.");
        return _data[_offset];
    }

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>A copy with its own storage (not from any arena) and no gradient history.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(Span.ToArray(), 0, (int[])_shape.Clone());
        return t;
    }

    /// <summary>A tensor sharing storage with this one but cut from the autograd graph (stop-gradient).</summary>
    public Tensor Detach() => new(_data, _offset, _shape) { Name = Name };

    /// <summary>Human-readable summary: shape and the first few values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeUtil.Format(_shape)).Append(" [");
        int n = Math.Min(Size, 8);
        var s = Span;
        for (int i = 0; i < n; i++) sb.Append(i == 0 ? "" : ", ").Append(s[i].ToString("G5", System.Globalization.CultureInfo.InvariantCulture));
        if (Size > n) sb.Append(", …");
        return sb.Append(']').ToString();
    }

    internal bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>Gradient buffer for accumulation, allocated (zeroed) on first use; same shape as this tensor.</summary>
    /// <remarks>A dense write: marks <see cref="TouchedRows"/> (if any) as <see cref="TouchedRows.All"/>.</remarks>
    internal Span<float> GradSpanForAccumulate()
    {
        _touchedRows?.MarkAll();
        return GradSpanNoTracking();
    }

    /// <summary>
    /// Gradient buffer for a sparse row write (embedding backward): does not mark the rows dense; the caller
    /// records the rows it writes in <see cref="TouchedRows"/>.
    /// </summary>
    internal Span<float> GradSpanForSparseAccumulate() => GradSpanNoTracking();

    private Span<float> GradSpanNoTracking()
    {
        if (Grad is null)
        {
            // Leaves (parameters) keep their gradient across steps; intermediates borrow from the active arena.
            Grad = GradFn is null ? new Tensor(new float[Size], 0, _shape) : Zeros(_shape);
        }
        return Grad.Span;
    }

    private TouchedRows? _touchedRows;

    /// <summary>
    /// Rows of this (V, D) leaf tensor whose gradient embedding lookups wrote since the last <see cref="ZeroGrad"/>
    /// (see <see cref="Cascade.Tensors.TouchedRows"/> for the contract a lazy sparse optimizer relies on). Null for
    /// tensors never used as an embedding table and for non-leaf tensors.
    /// </summary>
    public TouchedRows? TouchedRows => _touchedRows;

    /// <summary>Creates the touched-row set on first use of this tensor as a leaf embedding table.</summary>
    internal TouchedRows? EnsureTouchedRows()
    {
        if (_touchedRows is not null || GradFn is not null || Rank != 2) return _touchedRows;
        var rows = new TouchedRows(_shape[0]);
        // A gradient left over from earlier dense use is not described by the (empty) set: be conservative.
        if (Grad is not null && Grad.Span.IndexOfAnyExcept(0f) >= 0) rows.MarkAll();
        // Two parallel branches (ParallelBranches) reading one table may get here together on its first lookup:
        // the first set published wins, so both record into the same one.
        return Interlocked.CompareExchange(ref _touchedRows, rows, null) ?? rows;
    }

    /// <summary>
    /// Resets the gradient to zero (keeps the buffer). For an embedding table with <see cref="TouchedRows"/> that
    /// are not <see cref="TouchedRows.All"/>, only the touched rows are cleared (the others are zero already);
    /// the set is then emptied.
    /// </summary>
    public void ZeroGrad()
    {
        var rows = _touchedRows;
        if (Grad is not null)
        {
            if (rows is { All: false } && Rank == 2)
            {
                int d = _shape[1];
                var g = Grad.Span;
                foreach (int r in rows.Rows) g.Slice(r * d, d).Clear();
            }
            else Grad.Span.Clear();
        }
        rows?.Clear();
    }
}
