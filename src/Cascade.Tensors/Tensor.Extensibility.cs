namespace Cascade.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The gradient buffer an op defined outside this assembly accumulates into from its backward closure
    /// (allocated zeroed on first use; same shape as this tensor). Counts as a dense write for
    /// <see cref="TouchedRows"/>. Pattern: <c>y.Record("my_op", [x], g => { var gx = x.GradForAccumulate(); … gx[i] += … });</c>
    /// </summary>
    public Span<float> GradForAccumulate() => GradSpanForAccumulate();
}
