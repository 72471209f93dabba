using Cascade.Tensors;

namespace Cascade.Nn.Tests;

internal static class TestUtil
{
    /// <summary>Finite-difference check of a module: inputs first, then every parameter of the module.</summary>
    public static void AssertGradients(Module module, Tensor[] inputs, Func<Tensor[], Tensor> forward, double tolerance = 2e-2)
    {
        foreach (var x in inputs) x.RequiresGrad = true;
        var all = inputs.Concat(module.Parameters().Select(p => p.Value)).ToArray();
        var report = GradCheck.Check(xs => forward(xs[..inputs.Length]), all, tolerance: tolerance);
        Assert.True(report.Passed, $"{module.GetType().Name}: max error {report.MaxError:G4} at {report.Where}");
    }

    public static Tensor Uniform(int[] shape, ulong seed, float lo = -1f, float hi = 1f) => Tensor.Uniform(shape, seed, lo, hi);

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]:G9}, got {actual[i]:G9}");
    }
}
