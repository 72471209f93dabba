namespace Cascade.Tensors;

/// <summary>
/// One recorded op in the autograd graph: its inputs and a closure that, given the gradient of the op's output,
/// accumulates gradients into the inputs that require them (backward lives next to forward in each op's file).
/// </summary>
public sealed class GradNode
{
    /// <summary>Creates a node; <paramref name="backward"/> receives the output gradient.</summary>
    public GradNode(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    /// <summary>Op name, for error messages and graph dumps.</summary>
    public string Op { get; }

    /// <summary>Tensors the op read.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>Accumulates input gradients from the output gradient.</summary>
    public Action<Tensor> Backward { get; }
}
