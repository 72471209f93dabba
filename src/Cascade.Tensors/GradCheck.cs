namespace Cascade.Tensors;

/// <summary>
/// Finite-difference gradient check: compares the autograd gradient of L = Σ w ⊙ f(inputs) (w a fixed random
/// projection, so every output element matters) with central differences (L(x+ε) − L(x−ε)) / 2ε, evaluated in
/// float64 from float32 forward passes. Op authors add one call per op; model authors can check whole modules.
/// </summary>
public static class GradCheck
{
    /// <summary>Result of a check: the worst mismatch and where it was.</summary>
    public sealed record Report(bool Passed, double MaxError, string Where);

    /// <summary>
    /// Checks every element of every input that requires gradients. Error per element is
    /// |analytic − numeric| / max(1, |analytic|, |numeric|) and must stay below <paramref name="tolerance"/>.
    /// </summary>
    public static Report Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-3, double tolerance = 2e-2, ulong seed = 7)
    {
        var probe = f(inputs);
        var w = Tensor.Uniform(probe.Shape, seed, -1f, 1f);
        foreach (var x in inputs) x.Grad = null;
        var loss = Ops.Sum(Ops.Mul(probe, w));
        loss.Backward();
        double worst = 0;
        string where = "";
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Size];
            var span = x.Span;
            for (int i = 0; i < x.Size; i++)
            {
                float orig = span[i];
                span[i] = (float)(orig + eps);
                double plus = Project(f, inputs, w);
                span[i] = (float)(orig - eps);
                double minus = Project(f, inputs, w);
                span[i] = orig;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.Abs(analytic[i] - numeric) / Math.Max(1.0, Math.Max(Math.Abs(analytic[i]), Math.Abs(numeric)));
                if (err > worst)
                {
                    worst = err;
                    where = $"input {t} {x.Name} element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}";
                }
            }
        }
        return new Report(worst <= tolerance, worst, where);
    }

    private static double Project(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor w)
    {
        using var _ = Autograd.NoGrad();
        var y = f(inputs).Span;
        var ws = w.Span;
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * ws[i];
        return s;
    }
}
