using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

internal delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
internal delegate void Backward(ReadOnlySpan<float> a, ReadOnlySpan<float> dy, Span<float> dx);

/// <summary>Activations vs ActivationsReference at every length, forward outputs and accumulated gradients.</summary>
internal static class ActivationChecks
{
    // Exact ops (compare/select, + − ×) agree to rounding; exp/log/tanh approximations to a few ulp.
    private const float Exact = 1e-6f, Approx = 2e-5f;

    public static IEnumerable<KernelCheck> All =>
    [
        Fwd("activations.relu.forward", Activations.ReluForward, ActivationsReference.ReluForward, Exact),
        Bwd("activations.relu.backward", Activations.ReluBackward, ActivationsReference.ReluBackward, Exact),
        Fwd("activations.leaky-relu.forward", (x, y) => Activations.LeakyReluForward(x, 0.1f, y), (x, y) => ActivationsReference.LeakyReluForward(x, 0.1f, y), Exact),
        Bwd("activations.leaky-relu.backward", (x, dy, dx) => Activations.LeakyReluBackward(x, 0.1f, dy, dx), (x, dy, dx) => ActivationsReference.LeakyReluBackward(x, 0.1f, dy, dx), Exact),
        Fwd("activations.sigmoid.forward", Activations.SigmoidForward, ActivationsReference.SigmoidForward, Approx),
        Bwd("activations.sigmoid.backward", Activations.SigmoidBackward, ActivationsReference.SigmoidBackward, Exact),
        Fwd("activations.tanh.forward", Activations.TanhForward, ActivationsReference.TanhForward, Approx),
        Bwd("activations.tanh.backward", Activations.TanhBackward, ActivationsReference.TanhBackward, Exact),
        Fwd("activations.softplus.forward", Activations.SoftplusForward, ActivationsReference.SoftplusForward, Approx),
        Bwd("activations.softplus.backward", Activations.SoftplusBackward, ActivationsReference.SoftplusBackward, Approx),
        Fwd("activations.gelu.forward", Activations.GeluForward, ActivationsReference.GeluForward, Approx),
        Bwd("activations.gelu.backward", Activations.GeluBackward, ActivationsReference.GeluBackward, Approx),
    ];

    /// <summary>Inputs in [−8, 8) with exact zeros sprinkled in (the relu boundary) and the extremes ±40.</summary>
    internal static float[] Inputs(int seed, int n)
    {
        var x = Check.Uniform(seed, n, -8f, 8f);
        for (int i = 0; i < n; i += 7) x[i] = 0f;
        if (n > 3) { x[1] = 40f; x[2] = -40f; }
        return x;
    }

    private static KernelCheck Fwd(string name, Forward fast, Forward reference, float tol) => new(name, () =>
    {
        foreach (int n in KernelChecks.Lengths)
        {
            var x = Inputs(n, n);
            var expected = new float[n];
            reference(x, expected);
            var y = new Guarded(Check.Uniform(n + 1, n, -1f, 1f));
            fast(x, y.Span);
            y.AssertGuards($"{name} n={n}");
            Check.Close($"{name} n={n}", expected, y.Span, tol, tol);
        }
    });

    private static KernelCheck Bwd(string name, Backward fast, Backward reference, float tol) => new(name, () =>
    {
        foreach (int n in KernelChecks.Lengths)
        {
            // a is the forward input or output depending on the kernel; values in (−1, 1) suit both.
            var a = Check.Uniform(n, n, -0.99f, 0.99f);
            for (int i = 0; i < n; i += 5) a[i] = 0f;
            var dy = Check.Uniform(n + 7, n, -2f, 2f);
            var dx0 = Check.Uniform(n + 13, n, -1f, 1f);
            var expected = (float[])dx0.Clone();
            reference(a, dy, expected);
            var dx = new Guarded(dx0);
            fast(a, dy, dx.Span);
            dx.AssertGuards($"{name} n={n}");
            Check.Close($"{name} n={n}", expected, dx.Span, tol, tol);
        }
    });
}
