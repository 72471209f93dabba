using Cascade.Tensors;

namespace Cascade.Nn;

/// <summary>
/// A trainable tensor (always <see cref="Tensor.RequiresGrad"/>) plus the metadata optimizers need: whether it is an
/// embedding table updated lazily by row (<see cref="IsSparse"/>; the rows come from <see cref="Tensor.TouchedRows"/>,
/// which <see cref="Ops.Embedding"/> and <see cref="Ops.EmbeddingBag"/> fill during backward) and the weight-decay
/// group it belongs to.
/// </summary>
/// <example>
/// <code>
/// var w = new Parameter(Tensor.Zeros([16, 4]));                          // dense, group "decay"
/// var table = new Parameter(Tensor.Zeros([100_000, 16]), sparse: true);  // rows updated lazily
/// </code>
/// </example>
public sealed class Parameter
{
    /// <summary>Weight-decay group of matrices and kernels (the default).</summary>
    public const string DecayGroup = "decay";

    /// <summary>Weight-decay group of biases and normalisation scales, which conventionally get no decay.</summary>
    public const string NoDecayGroup = "no_decay";

    /// <summary>Weight-decay group of embedding tables (L2 applied to touched rows only when sparse).</summary>
    public const string EmbeddingGroup = "embedding";

    /// <summary>Wraps <paramref name="value"/> (not copied) and marks it as requiring gradients.</summary>
    /// <param name="value">The tensor; must own storage outside any arena.</param>
    /// <param name="sparse">True for embedding tables (rank 2, V × D) updated lazily by touched row.</param>
    /// <param name="group">Weight-decay group name (see <see cref="DecayGroup"/>).</param>
    public Parameter(Tensor value, bool sparse = false, string group = DecayGroup)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (sparse && value.Rank != 2)
            throw new ArgumentException($"A sparse parameter must be a rank-2 table (V, D); got shape {ShapeUtil.Format(value.Shape)}.", nameof(sparse));
        Value = value;
        Value.RequiresGrad = true;
        IsSparse = sparse;
        Group = group;
    }

    /// <summary>The trainable values.</summary>
    public Tensor Value { get; }

    /// <summary>Accumulated gradient (null before the first backward pass reaches the parameter).</summary>
    public Tensor? Grad => Value.Grad;

    /// <summary>Whether the optimizer updates only the rows touched since the last <see cref="ZeroGrad"/>.</summary>
    public bool IsSparse { get; }

    /// <summary>
    /// Rows a lazy optimizer may update: the table's touched rows when <see cref="IsSparse"/> and only embedding
    /// lookups wrote its gradient (<see cref="Cascade.Tensors.TouchedRows.All"/> false); null means "update densely".
    /// </summary>
    public TouchedRows? SparseRows => IsSparse && Value.TouchedRows is { All: false } rows ? rows : null;

    /// <summary>Weight-decay group name; optimizers map groups to learning rates and decay.</summary>
    public string Group { get; set; }

    /// <summary>Number of elements.</summary>
    public int Size => Value.Size;

    /// <summary>Dimensions of the value.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>Clears the gradient (for a sparse table, only the touched rows; see <see cref="Tensor.ZeroGrad"/>).</summary>
    public void ZeroGrad() => Value.ZeroGrad();

    /// <summary>The parameter's tensor, so layers can pass parameters straight to ops.</summary>
    public static implicit operator Tensor(Parameter p) => p.Value;

    /// <inheritdoc />
    public override string ToString() => $"Parameter{ShapeUtil.Format(Value.Shape)}{(IsSparse ? " sparse" : "")} group={Group}";
}
