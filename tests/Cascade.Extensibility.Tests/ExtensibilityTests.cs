using System.Numerics.Tensors;
using Cascade.Nn;
using Cascade.Nn.Checkpoints;
using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;
using Tensor = Cascade.Tensors.Tensor;

namespace Cascade.Extensibility.Tests;

/// <summary>
/// A user's own op, module and model built only from the public API of Cascade.Tensors and Cascade.Nn (this
/// assembly has no InternalsVisibleTo access), then trained and checkpointed: proves the extension points work.
/// </summary>
public static class UserOps
{
    /// <summary>Swish / SiLU: y = x · σ(x). Backward: dy · (σ(x) + x · σ(x)(1 − σ(x))).</summary>
    public static Tensor Swish(Tensor x)
    {
        var s = Tensor.Empty(x.Shape);
        TensorPrimitives.Sigmoid(x.Span, s.Span);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Span, s.Span, y.Span);
        if (Autograd.ShouldRecord(x))
        {
            y.Record("swish", [x], g =>
            {
                var gx = x.GradForAccumulate();
                ReadOnlySpan<float> xs = x.Span, ss = s.Span, gs = g.Span;
                for (int i = 0; i < gs.Length; i++) gx[i] += gs[i] * (ss[i] + xs[i] * ss[i] * (1f - ss[i]));
            });
        }
        return y;
    }
}

/// <summary>Factorisation-machine interaction (Rendle 2010): ½ Σ_d ((Σ_f e_fd)² − Σ_f e_fd²); e (B, F, D) → (B, 1).</summary>
public sealed class FmInteraction : Module
{
    public Tensor Forward(Tensor e)
    {
        var sum = Ops.Sum(e, 1);                                  // (B, D)
        var sumSq = Ops.Sum(Ops.Mul(e, e), 1);                    // (B, D)
        return Ops.Mul(Ops.Sum(Ops.Sub(Ops.Mul(sum, sum), sumSq), 1, keepDim: true), 0.5f);   // (B, 1)
    }
}

/// <summary>A tiny DeepFM: shared embeddings → FM interaction + Swish MLP → logit.</summary>
public sealed class TinyDeepFm : Module
{
    public const int Fields = 3, Vocab = 12, Dim = 4;

    public TinyDeepFm()
    {
        Embedding = RegisterModule("embedding", new Embedding(new EmbeddingOptions(Vocab, Dim, Seed: 5, InitStd: 0.1f)));
        Fm = RegisterModule("fm", new FmInteraction());
        Hidden = RegisterModule("hidden", new Linear(Fields * Dim, 16, seed: 6));
        Output = RegisterModule("output", new Linear(16, 1, seed: 7));
    }

    public Embedding Embedding { get; }
    public FmInteraction Fm { get; }
    public Linear Hidden { get; }
    public Linear Output { get; }

    public Tensor Forward(IntTensor ids)                                            // (B, F)
    {
        var e = Embedding.Forward(ids);                                             // (B, F, D)
        var deep = Output.Forward(UserOps.Swish(Hidden.Forward(Ops.Reshape(e, [ids.Dim(0), Fields * Dim]))));
        return Ops.Add(deep, Fm.Forward(e));                                        // (B, 1)
    }
}

public class ExtensibilityTests
{
    [Fact]
    public void UserOpHasCorrectGradients()
    {
        var x = Tensor.Uniform([3, 5], 1, -3f, 3f, requiresGrad: true);
        var report = GradCheck.Check(xs => UserOps.Swish(xs[0]), [x]);
        Assert.True(report.Passed, $"max error {report.MaxError} at {report.Where}");
        Assert.Equal(1f / (1f + MathF.Exp(-1f)), UserOps.Swish(Tensor.FromArray([1f], [1])).Span[0], 6);
    }

    [Fact]
    public void UserModuleMatchesTheFmIdentity()
    {
        var e = Tensor.Uniform([2, 3, 4], 2, -1f, 1f);
        var y = new FmInteraction().Forward(e);
        for (int b = 0; b < 2; b++)
        {
            double pairs = 0;
            for (int i = 0; i < 3; i++)
                for (int j = i + 1; j < 3; j++)
                    for (int d = 0; d < 4; d++) pairs += e[b, i, d] * e[b, j, d];
            Assert.Equal(pairs, y[b, 0], 5);
        }
    }

    [Fact]
    public void UserModelHasNamedParametersAndGradients()
    {
        var model = new TinyDeepFm();
        Assert.Equal(["embedding.weight", "hidden.weight", "hidden.bias", "output.weight", "output.bias"], model.NamedParameters().Select(p => p.Name));
        var ids = new IntTensor([0, 5, 9, 3, 4, 11], [2, 3]);
        var report = GradCheck.Check(_ => model.Forward(ids), model.Parameters().Select(p => p.Value).ToArray());
        Assert.True(report.Passed, $"max error {report.MaxError} at {report.Where}");
    }

    [Fact]
    public void UserModelTrainsAndRoundTripsThroughACheckpoint()
    {
        // Label = 1 when ids of fields 0 and 1 share parity: a pure interaction the FM and MLP must learn.
        var rng = new Rng(3);
        const int n = 256;
        var data = new int[n * TinyDeepFm.Fields];
        var labels = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int f = 0; f < TinyDeepFm.Fields; f++) data[i * TinyDeepFm.Fields + f] = rng.NextInt(TinyDeepFm.Vocab);
            labels[i] = data[i * TinyDeepFm.Fields] % 2 == data[i * TinyDeepFm.Fields + 1] % 2 ? 1f : 0f;
        }
        var ids = new IntTensor(data, [n, TinyDeepFm.Fields]);
        var y = Tensor.FromArray(labels, [n, 1]);
        var model = new TinyDeepFm();
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), 0.05f, 0f));
        float first = 0, last = 0;
        for (int step = 0; step < 150; step++)
        {
            opt.ZeroGrad();
            var loss = Ops.BinaryCrossEntropyWithLogits(model.Forward(ids), y);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            loss.Backward();
            opt.Step();
        }
        Assert.True(last < 0.3f * first, $"loss {first} → {last}");
        int correct = 0;
        var logits = model.Forward(ids).Span;
        for (int i = 0; i < n; i++) if ((logits[i] > 0) == (labels[i] > 0.5f)) correct++;
        Assert.True(correct > 0.95 * n, $"train accuracy {correct}/{n}");

        var dir = Path.Combine(Path.GetTempPath(), "cascade-ext-" + Guid.NewGuid().ToString("N"));
        try
        {
            Checkpoint.Save(dir, "tiny-deepfm", model);
            var copy = new TinyDeepFm();
            Checkpoint.Load(dir, copy);
            Assert.Equal(model.Forward(ids).ToArray(), copy.Forward(ids).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
