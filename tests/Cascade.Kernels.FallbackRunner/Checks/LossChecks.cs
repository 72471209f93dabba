using Cascade.Kernels.Reference;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>Losses vs LossesReference at every length: logits including ±40 and exact zeros, labels in {0, 1} and soft.</summary>
internal static class LossChecks
{
    private const float Tol = 2e-5f;

    public static IEnumerable<KernelCheck> All => [new("losses.bce-with-logits.forward", Forward), new("losses.bce-with-logits.backward", Backward)];

    private static float[] Labels(int n)
    {
        var y = Check.Uniform(n + 11, n, 0f, 1f);
        for (int i = 0; i < n; i++) if (i % 3 != 2) y[i] = y[i] < 0.5f ? 0f : 1f; // mostly hard labels, every third soft
        return y;
    }

    private static void Forward()
    {
        foreach (int n in KernelChecks.Lengths)
        {
            var x = ActivationChecks.Inputs(n, n);
            var y = Labels(n);
            var expected = new float[n];
            LossesReference.BceWithLogitsForward(x, y, expected);
            var loss = new Guarded(new float[n]);
            Losses.BceWithLogitsForward(x, y, loss.Span);
            loss.AssertGuards($"bce forward n={n}");
            Check.Close($"bce forward n={n}", expected, loss.Span, Tol, Tol);
        }
    }

    private static void Backward()
    {
        foreach (int n in KernelChecks.Lengths)
        {
            var x = ActivationChecks.Inputs(n, n);
            var y = Labels(n);
            var dl = Check.Uniform(n + 5, n, 0f, 1f);
            var dx0 = Check.Uniform(n + 6, n, -1f, 1f);
            var expected = (float[])dx0.Clone();
            LossesReference.BceWithLogitsBackward(x, y, dl, expected);
            var dx = new Guarded(dx0);
            Losses.BceWithLogitsBackward(x, y, dl, dx.Span);
            dx.AssertGuards($"bce backward n={n}");
            Check.Close($"bce backward n={n}", expected, dx.Span, Tol, Tol);
        }
    }
}
