using Cascade.Kernels;

namespace Cascade.Tensors;

public static partial class Ops
{
    /// <summary>y = max(x, 0), any shape. Backward passes the gradient where the output is positive.</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.ReluForward(x.Span, y.Span);
        if (Autograd.ShouldRecord(x)) RecordRelu(x, y);
        return y;
    }

    // Closures only when recording (C# allocates captured state on entry to the declaring method).
    private static void RecordRelu(Tensor x, Tensor y) =>
        y.Record("relu", [x], g => Activations.ReluBackward(y.Span, g.Span, x.GradSpanForAccumulate()));

    private static void RecordSigmoid(Tensor x, Tensor y) =>
        y.Record("sigmoid", [x], g => Activations.SigmoidBackward(y.Span, g.Span, x.GradSpanForAccumulate()));

    /// <summary>y = 1 / (1 + e^(−x)), any shape. Backward: dx += dy · y · (1 − y).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Activations.SigmoidForward(x.Span, y.Span);
        if (Autograd.ShouldRecord(x)) RecordSigmoid(x, y);
        return y;
    }
}
