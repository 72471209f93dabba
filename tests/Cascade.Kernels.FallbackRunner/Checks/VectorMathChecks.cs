using Cascade.Kernels.Vectorized;

namespace Cascade.Kernels.FallbackRunner;

/// <summary>
/// The vector exp/log/tanh (through the unary driver, so every width and the scalar tail run) against MathF over
/// their whole useful range plus the special values: ±0, ±∞, NaN, the overflow and underflow edges, subnormal results.
/// </summary>
internal static class VectorMathChecks
{
    public static IEnumerable<KernelCheck> All =>
    [
        new("vectormath.exp", () => Compare("exp", new ExpProbe(), MathF.Exp, Grid(-110f, 95f, 20001), 4e-7f)),
        new("vectormath.log", () => Compare("log", new LogProbe(), MathF.Log, Positive(), 3e-7f)),
        new("vectormath.tanh", () => Compare("tanh", new TanhProbe(), MathF.Tanh, Grid(-12f, 12f, 20001), 4e-7f)),
    ];

    private static readonly float[] Specials =
        [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 88.72f, 88.73f, -87.5f, -100f, -104f, 1e-30f, -1e-30f, 0.625f, -0.625f];

    private static float[] Grid(float lo, float hi, int n)
    {
        var x = new float[n + Specials.Length];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        Specials.CopyTo(x, n);
        return x;
    }

    private static float[] Positive()
    {
        // Log-spaced over the normal floats, plus 1 ± tiny (where log must not lose t), plus the specials.
        var list = new List<float>();
        for (int i = 0; i <= 20000; i++) list.Add(MathF.Pow(10f, -37f + 75f * i / 20000f));
        for (int i = -100; i <= 100; i++) list.Add(1f + i * 1e-6f);
        list.AddRange([0f, float.PositiveInfinity, -1f, float.NaN, 1f, 2f, 0.5f]);
        return [.. list];
    }

    private static void Compare<TOp>(string name, TOp op, Func<float, float> reference, float[] x, float rtol) where TOp : struct, IUnaryOp
    {
        var y = new Guarded(new float[x.Length]);
        ElementwiseDriver.Map(op, x, y.Span);
        y.AssertGuards(name);
        for (int i = 0; i < x.Length; i++)
        {
            float e = reference(x[i]), a = y.Span[i];
            // Results below the normal range (< 1.2e-38) carry fewer significant bits; compare those absolutely.
            Check.Close($"{name}({x[i]:R})", i, e, a, rtol, 1e-44f);
        }
    }

    private readonly struct ExpProbe : IUnaryOp
    {
        public float Invoke(float x) => MathF.Exp(x);
        public System.Runtime.Intrinsics.Vector256<float> Invoke(System.Runtime.Intrinsics.Vector256<float> x) => VectorMath.Exp(x);
        public System.Runtime.Intrinsics.Vector512<float> Invoke(System.Runtime.Intrinsics.Vector512<float> x) => VectorMath.Exp(x);
    }

    private readonly struct LogProbe : IUnaryOp
    {
        public float Invoke(float x) => MathF.Log(x);
        public System.Runtime.Intrinsics.Vector256<float> Invoke(System.Runtime.Intrinsics.Vector256<float> x) => VectorMath.Log(x);
        public System.Runtime.Intrinsics.Vector512<float> Invoke(System.Runtime.Intrinsics.Vector512<float> x) => VectorMath.Log(x);
    }

    private readonly struct TanhProbe : IUnaryOp
    {
        public float Invoke(float x) => MathF.Tanh(x);
        public System.Runtime.Intrinsics.Vector256<float> Invoke(System.Runtime.Intrinsics.Vector256<float> x) => VectorMath.Tanh(x);
        public System.Runtime.Intrinsics.Vector512<float> Invoke(System.Runtime.Intrinsics.Vector512<float> x) => VectorMath.Tanh(x);
    }
}
