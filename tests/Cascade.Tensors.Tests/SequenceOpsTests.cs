namespace Cascade.Tensors.Tests;

public class SequenceOpsTests
{
    private static void Near(float[] expected, float[] actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void BatchMatMulPerItemSharedAndTransposed()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], [2, 1, 2]);
        Near([3f, 6f], Ops.BatchMatMul(a, Tensor.FromArray([1f, 1f, 2f, 0f], [2, 2, 1])).ToArray());
        Near([3f, 6f], Ops.MatMulTransposeB(a, Tensor.FromArray([1f, 1f, 2f, 0f], [2, 1, 2])).ToArray());
        var shared = Ops.BatchMatMul(a, Tensor.FromArray([1f, -1f], [2, 1]));
        Assert.Equal([2, 1, 1], shared.ShapeArray);
        Near([-1f, -1f], shared.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.BatchMatMul(a, Tensor.Zeros([3, 2, 1])));
    }

    [Fact]
    public void AttentionWeightsValuesAndMasksKeys()
    {
        // scores [0, ln 3] → P = [1/4, 3/4]; values [2, 6] → 5.
        var q = Tensor.FromArray([1f], [1, 1, 1, 1]);
        var k = Tensor.FromArray([0f, MathF.Log(3f)], [1, 1, 2, 1]);
        var v = Tensor.FromArray([2f, 6f], [1, 1, 2, 1]);
        Near([5f], Ops.ScaledDotProductAttention(q, k, v).ToArray());
        Near([2f], Ops.ScaledDotProductAttention(q, k, v, new IntTensor([1, 0], [1, 2])).ToArray());
    }

    [Fact]
    public void FullyMaskedQueryReturnsZerosAndNoGradient()
    {
        var q = Tensor.Uniform([1, 2, 3, 4], 1, -1, 1, requiresGrad: true);
        var k = Tensor.Uniform([1, 2, 5, 4], 2, -1, 1, requiresGrad: true);
        var v = Tensor.Uniform([1, 2, 5, 3], 3, -1, 1, requiresGrad: true);
        var y = Ops.ScaledDotProductAttention(q, k, v, new IntTensor([0, 0, 0, 0, 0], [1, 5]));
        Assert.All(y.ToArray(), x => Assert.Equal(0f, x));
        Ops.Sum(y).Backward();
        Assert.All(q.Grad!.ToArray(), x => Assert.Equal(0f, x));
        Assert.All(v.Grad!.ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void MultiHeadAttentionWithIdentityProjectionsEqualsPerHeadAttention()
    {
        var x = Tensor.Uniform([1, 3, 4], 5, -1, 1);
        var eye = Tensor.FromArray([1f, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [4, 4]);
        var y = Ops.MultiHeadAttention(x, x, x, new AttentionWeights(eye, null, eye, null, eye, null, eye, null), heads: 2);
        // Head h sees columns [2h, 2h + 1] of x.
        var heads = new float[2 * 3 * 2];
        for (int h = 0; h < 2; h++)
            for (int l = 0; l < 3; l++)
                for (int d = 0; d < 2; d++) heads[(h * 3 + l) * 2 + d] = x[0, l, 2 * h + d];
        var split = Tensor.FromArray(heads, [1, 2, 3, 2]);
        var o = Ops.ScaledDotProductAttention(split, split, split);
        var expected = new float[12];
        for (int h = 0; h < 2; h++)
            for (int l = 0; l < 3; l++)
                for (int d = 0; d < 2; d++) expected[l * 4 + 2 * h + d] = o[0, h, l, d];
        Near(expected, y.ToArray());
    }

    private static GruWeights TanhOnlyWeights() => new(
        Tensor.FromArray([0f, 0f, 1f], [3, 1]), Tensor.Zeros([3, 1]), null, null);

    [Fact]
    public void GruMatchesHandComputedStepsAndMasksPadding()
    {
        // r = z = σ(0) = 1/2, n = tanh(x): h1 = tanh(1)/2, h2 = tanh(2)/2 + h1/2.
        var x = Tensor.FromArray([1f, 2f, 1f, 2f], [2, 2, 1]);
        var (outputs, final) = Ops.Gru(x, IntTensor.FromArray([2, 1]), TanhOnlyWeights());
        float h1 = MathF.Tanh(1f) / 2f, h2 = MathF.Tanh(2f) / 2f + h1 / 2f;
        Near([h1, h2, h1, h1], outputs.ToArray());
        Near([h2, h1], final.ToArray());
        var (_, empty) = Ops.Gru(x, IntTensor.FromArray([0, 0]), TanhOnlyWeights(), Tensor.FromArray([0.3f, -0.2f], [2, 1]));
        Near([0.3f, -0.2f], empty.ToArray());
    }

    [Fact]
    public void AuGruScalesTheUpdateGateByAttention()
    {
        // a = [1/2, 1]: h1 = ½·½·tanh 1, h2 = h1 + ½(tanh 2 − h1); a = 0 keeps the state.
        var x = Tensor.FromArray([1f, 2f, 1f, 2f], [2, 2, 1]);
        var att = Tensor.FromArray([0.5f, 1f, 1f, 0f], [2, 2]);
        var (outputs, _) = Ops.AuGru(x, att, null, TanhOnlyWeights());
        float a1 = 0.25f * MathF.Tanh(1f), a2 = a1 + 0.5f * (MathF.Tanh(2f) - a1), b1 = 0.5f * MathF.Tanh(1f);
        Near([a1, a2, b1, b1], outputs.ToArray());
    }

    [Fact]
    public void GruMatchesANaiveReferenceOnRandomWeights()
    {
        const int B = 2, L = 3, In = 3, H = 4;
        var x = Tensor.Uniform([B, L, In], 1, -1, 1);
        var w = new GruWeights(Tensor.Uniform([3 * H, In], 2, -1, 1), Tensor.Uniform([3 * H, H], 3, -1, 1),
            Tensor.Uniform([3 * H], 4, -1, 1), Tensor.Uniform([3 * H], 5, -1, 1));
        var h0 = Tensor.Uniform([B, H], 6, -1, 1);
        var lengths = new[] { 3, 2 };
        var (outputs, final) = Ops.Gru(x, IntTensor.FromArray(lengths), w, h0);
        for (int b = 0; b < B; b++)
        {
            var h = new double[H];
            for (int j = 0; j < H; j++) h[j] = h0[b, j];
            for (int t = 0; t < L; t++)
            {
                if (t < lengths[b]) h = NaiveStep(x, b, t, h, w);
                for (int j = 0; j < H; j++) Assert.True(Math.Abs(h[j] - outputs[b, t, j]) < 1e-5, $"b {b} t {t} j {j}");
            }
            for (int j = 0; j < H; j++) Assert.True(Math.Abs(h[j] - final[b, j]) < 1e-5);
        }
    }

    private static double[] NaiveStep(Tensor x, int b, int t, double[] h, GruWeights w)
    {
        int hs = h.Length, inF = x.Dim(2);
        double Gi(int row) { double s = w.BIh![row]; for (int i = 0; i < inF; i++) s += w.WIh[row, i] * x[b, t, i]; return s; }
        double Gh(int row) { double s = w.BHh![row]; for (int i = 0; i < hs; i++) s += w.WHh[row, i] * h[i]; return s; }
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));
        var next = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            double r = Sig(Gi(j) + Gh(j)), z = Sig(Gi(hs + j) + Gh(hs + j));
            double n = Math.Tanh(Gi(2 * hs + j) + r * Gh(2 * hs + j));
            next[j] = (1 - z) * n + z * h[j];
        }
        return next;
    }

    [Fact]
    public void GruMaskSkipsHolesAndMatchesLengthsWhenRightPadded()
    {
        var x = Tensor.FromArray([1f, 5f, 2f, 1f, 2f, 7f], [2, 3, 1]);
        var (holes, holesFinal) = Ops.Gru(x, null, TanhOnlyWeights(), mask: new IntTensor([1, 0, 1, 1, 1, 0], [2, 3]));
        float h1 = MathF.Tanh(1f) / 2f, h2 = MathF.Tanh(2f) / 2f + h1 / 2f;
        Near([h1, h1, h2, h1, h2, h2], holes.ToArray());   // step 1 of row 0 is a hole: the state is kept
        Near([h2, h2], holesFinal.ToArray());
        var (byLengths, _) = Ops.Gru(x, IntTensor.FromArray([2, 2]), TanhOnlyWeights());
        var (byMask, _) = Ops.Gru(x, null, TanhOnlyWeights(), mask: new IntTensor([1, 1, 0, 1, 1, 0], [2, 3]));
        Assert.Equal(byLengths.ToArray(), byMask.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.Gru(x, IntTensor.FromArray([2, 2]), TanhOnlyWeights(), mask: new IntTensor([1, 1, 0, 1, 1, 0], [2, 3])));
    }

    [Fact]
    public void GruRejectsBadLengths() =>
        Assert.Contains("lengths[1] = 5", Assert.Throws<ArgumentException>(() =>
            Ops.Gru(Tensor.Zeros([2, 2, 1]), IntTensor.FromArray([1, 5]), TanhOnlyWeights())).Message);
}
