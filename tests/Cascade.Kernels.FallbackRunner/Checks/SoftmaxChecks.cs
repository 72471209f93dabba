using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>Softmax vs SoftmaxReference: 3 rows × every length, with no mask and with a mask that also blanks a whole row.</summary>
internal static class SoftmaxChecks
{
    private const int Rows = 3;
    // Row sums are reordered by the vector loops, and exp differs by an ulp or two: 1e-5 relative covers both.
    private const float Tol = 1e-5f;

    public static IEnumerable<KernelCheck> All =>
    [
        new("softmax.forward", () => Forward(false, log: false)),
        new("softmax.forward.masked", () => Forward(true, log: false)),
        new("softmax.log-forward", () => Forward(false, log: true)),
        new("softmax.log-forward.masked", () => Forward(true, log: true)),
        new("softmax.backward", () => Backward(log: false)),
        new("softmax.log-backward", () => Backward(log: true)),
    ];

    private static byte[] Mask(int cols)
    {
        var rng = new Random(cols);
        var m = new byte[Rows * cols];
        for (int i = 0; i < m.Length; i++) m[i] = (byte)(rng.NextDouble() < 0.7 ? 1 : 0);
        for (int c = 0; c < cols; c++) m[cols + c] = 0; // row 1 fully masked
        return m;
    }

    private static void Forward(bool masked, bool log)
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            int n = Rows * cols;
            var x = Check.Uniform(cols, n, -10f, 10f);
            byte[] mask = masked ? Mask(cols) : [];
            var expected = new float[n];
            var y = new Guarded(new float[n]);
            string what = $"softmax log={log} masked={masked} cols={cols}";
            if (log)
            {
                SoftmaxReference.LogForward(x, expected, Rows, cols, mask);
                Softmax.LogForward(x, y.Span, Rows, cols, mask);
                Check.Close(what, expected, y.Span, Tol, 1e-5f * (1 + MathF.Log(1 + cols)));
            }
            else
            {
                SoftmaxReference.Forward(x, expected, Rows, cols, mask);
                Softmax.Forward(x, y.Span, Rows, cols, mask);
                Check.Close(what, expected, y.Span, Tol, 1e-7f);
            }
            y.AssertGuards(what);
        }
    }

    private static void Backward(bool log)
    {
        foreach (int cols in KernelChecks.Lengths)
        {
            int n = Rows * cols;
            var x = Check.Uniform(cols + 1, n, -4f, 4f);
            var mask = Mask(cols);
            var y = new float[n];
            if (log) SoftmaxReference.LogForward(x, y, Rows, cols, mask);
            else SoftmaxReference.Forward(x, y, Rows, cols, mask);
            var dy = Check.Uniform(cols + 2, n, -1f, 1f);
            var dx0 = Check.Uniform(cols + 3, n, -1f, 1f);
            var expected = (float[])dx0.Clone();
            var dx = new Guarded(dx0);
            string what = $"softmax backward log={log} cols={cols}";
            if (log)
            {
                SoftmaxReference.LogBackward(y, dy, expected, Rows, cols);
                Softmax.LogBackward(y, dy, dx.Span, Rows, cols);
            }
            else
            {
                SoftmaxReference.Backward(y, dy, expected, Rows, cols);
                Softmax.Backward(y, dy, dx.Span, Rows, cols);
            }
            dx.AssertGuards(what);
            Check.Close(what, expected, dx.Span, Tol, 1e-5f);
        }
    }
}
