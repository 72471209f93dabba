using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>LayerNorm vs LayerNormReference (double statistics): 3 rows × every width, forward and accumulated backward.</summary>
internal static class LayerNormChecks
{
    private const int Rows = 3;

    public static IEnumerable<KernelCheck> All => [new("layernorm.forward", Forward), new("layernorm.backward", Backward)];

    private static void Forward()
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            int n = Rows * cols;
            // An offset of 3 exercises the two-pass variance (E[x²] − μ² would lose digits here).
            var x = Check.Uniform(cols, n, 2f, 4f);
            var gamma = Check.Uniform(cols + 1, cols, 0.5f, 1.5f);
            var beta = Check.Uniform(cols + 2, cols, -0.5f, 0.5f);
            float[] ey = new float[n], em = new float[Rows], er = new float[Rows];
            LayerNormReference.Forward(x, gamma, beta, ey, em, er, Rows, cols, 1e-5f);
            var y = new Guarded(new float[n]); var m = new Guarded(new float[Rows]); var r = new Guarded(new float[Rows]);
            LayerNorm.Forward(x, gamma, beta, y.Span, m.Span, r.Span, Rows, cols, 1e-5f);
            string what = $"layernorm forward cols={cols}";
            y.AssertGuards(what); m.AssertGuards(what); r.AssertGuards(what);
            if (cols == 0) continue;
            Check.Close(what + " mean", em, m.Span, 1e-5f, 1e-6f);
            Check.Close(what + " rstd", er, r.Span, 1e-3f, 1e-5f);
            Check.Close(what + " y", ey, y.Span, 1e-3f, 1e-3f);
        }
    }

    private static void Backward()
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            int n = Rows * cols;
            var x = Check.Uniform(cols, n, -2f, 2f);
            var gamma = Check.Uniform(cols + 1, cols, 0.5f, 1.5f);
            var beta = new float[cols];
            float[] y = new float[n], mean = new float[Rows], rstd = new float[Rows];
            LayerNormReference.Forward(x, gamma, beta, y, mean, rstd, Rows, cols, 1e-5f);
            var dy = Check.Uniform(cols + 3, n, -1f, 1f);
            var dx0 = Check.Uniform(cols + 4, n, -1f, 1f);
            var dg0 = Check.Uniform(cols + 5, cols, -1f, 1f);
            var db0 = Check.Uniform(cols + 6, cols, -1f, 1f);
            float[] edx = (float[])dx0.Clone(), edg = (float[])dg0.Clone(), edb = (float[])db0.Clone();
            LayerNormReference.Backward(x, mean, rstd, gamma, dy, edx, edg, edb, Rows, cols);
            var dx = new Guarded(dx0); var dg = new Guarded(dg0); var db = new Guarded(db0);
            LayerNorm.Backward(x, mean, rstd, gamma, dy, dx.Span, dg.Span, db.Span, Rows, cols);
            string what = $"layernorm backward cols={cols}";
            dx.AssertGuards(what + " dx"); dg.AssertGuards(what + " dgamma"); db.AssertGuards(what + " dbeta");
            Check.Close(what + " dx", edx, dx.Span, 1e-3f, 1e-3f);
            Check.Close(what + " dgamma", edg, dg.Span, 1e-5f, 1e-5f);
            Check.Close(what + " dbeta", edb, db.Span, 1e-5f, 1e-5f);
        }
    }
}
