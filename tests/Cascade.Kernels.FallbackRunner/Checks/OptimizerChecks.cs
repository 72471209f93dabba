using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// Optimizer steps vs OptimizerStepsReference: three consecutive steps (so the state feeds back) at every length,
/// dense and row-sparse, with weights and every state buffer guarded.
/// </summary>
internal static class OptimizerChecks
{
    // Same operation order and no FMA in either, so results agree to rounding; 1e-6 leaves room for the JIT.
    private const float Tol = 1e-6f;
    private const int Steps = 3;

    private delegate void Step1(Span<float> w, ReadOnlySpan<float> g, Span<float> s);
    private delegate void Step2(Span<float> w, ReadOnlySpan<float> g, Span<float> s, Span<float> t);

    public static IEnumerable<KernelCheck> All =>
    [
        Dense2("optimizer.adam", (w, g, m, v) => OptimizerSteps.Adam(w, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-4f, 0f, 0.1f, 0.001f),
            (w, g, m, v) => OptimizerStepsReference.Adam(w, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-4f, 0f, 0.1f, 0.001f)),
        Dense2("optimizer.adamw", (w, g, m, v) => OptimizerSteps.Adam(w, g, m, v, 0.01f, 0.9f, 0.99f, 1e-6f, 0f, 0.05f, 0.19f, 0.0199f),
            (w, g, m, v) => OptimizerStepsReference.Adam(w, g, m, v, 0.01f, 0.9f, 0.99f, 1e-6f, 0f, 0.05f, 0.19f, 0.0199f)),
        Dense1("optimizer.adagrad", (w, g, a) => OptimizerSteps.Adagrad(w, g, a, 0.05f, 1e-8f, 1e-3f),
            (w, g, a) => OptimizerStepsReference.Adagrad(w, g, a, 0.05f, 1e-8f, 1e-3f)),
        Dense1("optimizer.sgd-momentum", (w, g, v) => OptimizerSteps.SgdMomentum(w, g, v, 0.1f, 0.9f, 1e-4f, false),
            (w, g, v) => OptimizerStepsReference.SgdMomentum(w, g, v, 0.1f, 0.9f, 1e-4f, false)),
        Dense1("optimizer.sgd-nesterov", (w, g, v) => OptimizerSteps.SgdMomentum(w, g, v, 0.1f, 0.9f, 0f, true),
            (w, g, v) => OptimizerStepsReference.SgdMomentum(w, g, v, 0.1f, 0.9f, 0f, true)),
        Dense2("optimizer.ftrl", (w, g, z, n) => OptimizerSteps.Ftrl(w, g, z, n, 0.1f, 1f, 0.05f, 0.01f),
            (w, g, z, n) => OptimizerStepsReference.Ftrl(w, g, z, n, 0.1f, 1f, 0.05f, 0.01f)),
        new("optimizer.adam-rows", () => Rows((w, g, m, v, d, r) => OptimizerSteps.AdamRows(w, g, m, v, d, r, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, 0.01f, 0.1f, 0.001f),
            (w, g, m, v, d, r) => OptimizerStepsReference.AdamRows(w, g, m, v, d, r, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, 0.01f, 0.1f, 0.001f))),
        new("optimizer.adagrad-rows", () => Rows((w, g, a, _, d, r) => OptimizerSteps.AdagradRows(w, g, a, d, r, 0.05f, 1e-8f, 0f),
            (w, g, a, _, d, r) => OptimizerStepsReference.AdagradRows(w, g, a, d, r, 0.05f, 1e-8f, 0f))),
        new("optimizer.ftrl-rows", () => Rows((w, g, z, n, d, r) => OptimizerSteps.FtrlRows(w, g, z, n, d, r, 0.1f, 1f, 0.05f, 0.01f),
            (w, g, z, n, d, r) => OptimizerStepsReference.FtrlRows(w, g, z, n, d, r, 0.1f, 1f, 0.05f, 0.01f))),
    ];

    private static KernelCheck Dense1(string name, Step1 fast, Step1 reference) => Dense2(name, (w, g, s, _) => fast(w, g, s), (w, g, s, _) => reference(w, g, s));

    private static KernelCheck Dense2(string name, Step2 fast, Step2 reference) => new(name, () =>
    {
        foreach (int n in KernelChecks.Lengths)
        {
            var w0 = Check.Uniform(n, n, -1f, 1f);
            float[] ew = (float[])w0.Clone(), es = new float[n], et = new float[n];
            var w = new Guarded(w0); var s = new Guarded(new float[n]); var t = new Guarded(new float[n]);
            for (int step = 0; step < Steps; step++)
            {
                var g = Check.Uniform(n * 3 + step, n, -0.5f, 0.5f);
                reference(ew, g, es, et);
                fast(w.Span, g, s.Span, t.Span);
            }
            string what = $"{name} n={n}";
            w.AssertGuards(what + " w"); s.AssertGuards(what + " state"); t.AssertGuards(what + " state2");
            Check.Close(what + " w", ew, w.Span, Tol, Tol);
            Check.Close(what + " state", es, s.Span, Tol, Tol);
            Check.Close(what + " state2", et, t.Span, Tol, Tol);
        }
    });

    private delegate void RowStep(Span<float> w, ReadOnlySpan<float> g, Span<float> s, Span<float> t, int dim, ReadOnlySpan<int> rows);

    private static void Rows(RowStep fast, RowStep reference)
    {
        const int vocab = 5;
        int[] rows = [3, 0];
        foreach (int dim in KernelChecks.Lengths)
        {
            int n = vocab * dim;
            var w0 = Check.Uniform(dim, n, -1f, 1f);
            var g = Check.Uniform(dim + 1, n, -0.5f, 0.5f);
            float[] ew = (float[])w0.Clone(), es = new float[n], et = new float[n];
            var w = new Guarded(w0); var s = new Guarded(new float[n]); var t = new Guarded(new float[n]);
            reference(ew, g, es, et, dim, rows);
            fast(w.Span, g, s.Span, t.Span, dim, rows);
            string what = $"rows dim={dim}";
            w.AssertGuards(what); s.AssertGuards(what); t.AssertGuards(what);
            Check.Close(what + " w", ew, w.Span, Tol, Tol);
            Check.Close(what + " state", es, s.Span, Tol, Tol);
            Check.Close(what + " state2", et, t.Span, Tol, Tol);
        }
    }
}
