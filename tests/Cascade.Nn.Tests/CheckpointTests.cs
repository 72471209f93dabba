using Cascade.Nn.Checkpoints;
using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public class CheckpointTests
{
    private sealed class Model : Module
    {
        public Model(int hidden = 8)
        {
            Emb = RegisterModule("emb", new Embedding(new EmbeddingOptions(20, 4, Seed: 1)));
            Mlp = RegisterModule("mlp", new Mlp(new MlpOptions(8, [hidden, 1], Norm: MlpNorm.BatchNorm, ActivateLast: false, Seed: 2)));
        }

        public Embedding Emb { get; }
        public Mlp Mlp { get; }

        public Tensor Loss(int step)
        {
            var rng = new Rng((ulong)step);
            var ids = Enumerable.Range(0, 12).Select(_ => rng.NextInt(20)).ToArray();
            var e = Ops.Reshape(Emb.Forward(new IntTensor(ids, [6, 2])), [6, 8]);
            var labels = Tensor.FromArray(Enumerable.Range(0, 6).Select(i => (float)(ids[2 * i] % 2)).ToArray(), [6, 1]);
            return Ops.BinaryCrossEntropyWithLogits(Mlp.Forward(e), labels);
        }
    }

    private static void Train(Model m, Optimizer opt, int from, int to)
    {
        for (int s = from; s < to; s++)
        {
            opt.ZeroGrad();
            m.Loss(s).Backward();
            opt.Step();
        }
    }

    private static Optimizer MakeOpt(Model m) => new Adam(ParameterGroup.ByTag(m.Parameters(), 0.01f, 0f));

    [Fact]
    public void ResumedTrainingIsBitIdentical()
    {
        using var dir = new TempDir();
        var a = new Model();
        var oa = MakeOpt(a);
        Train(a, oa, 0, 5);
        var manifest = Checkpoint.Save(dir.Path, "tiny", a, oa, new Dictionary<string, string> { ["run"] = "test" });
        Assert.Equal(5, manifest.OptimizerStep);
        Assert.Contains(manifest.Tensors, t => t.Name == "mlp.norm0.running_mean" && t.Kind == "buffer");
        Assert.Contains(manifest.Tensors, t => t.Name == "emb.weight" && t.Kind == "parameter");

        var b = new Model();
        var ob = MakeOpt(b);
        var loaded = Checkpoint.Load(dir.Path, b, ob);
        Assert.Equal("tiny", loaded.ModelName);
        Assert.Equal("test", loaded.Metadata["run"]);
        Assert.Equal(5, ob.StepCount);
        foreach (var ((name, x), (_, y)) in a.NamedState().Zip(b.NamedState())) Assert.True(x.Span.SequenceEqual(y.Span), name);

        Train(a, oa, 5, 8);
        Train(b, ob, 5, 8);
        foreach (var ((name, x), (_, y)) in a.NamedState().Zip(b.NamedState())) Assert.True(x.Span.SequenceEqual(y.Span), name);
        Assert.Equal(["manifest.json", "model.safetensors", "optimizer.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ShapeMismatchNamesFileAndTensor()
    {
        using var dir = new TempDir();
        Checkpoint.Save(dir.Path, "m", new Model(8));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, new Model(6)));
        Assert.EndsWith("model.safetensors", e.FilePath);
        Assert.Equal("mlp.0.weight", e.TensorName);
        Assert.Contains("shape mismatch", e.Message);
    }

    private sealed class Other : Module
    {
        public Other(params string[] names)
        {
            foreach (var name in names) RegisterParameter(name, new Parameter(Tensor.Zeros([2])));
        }
    }

    [Fact]
    public void MissingAndExtraNamesAreReported()
    {
        using var dir = new TempDir();
        Checkpoint.Save(dir.Path, "m", new Other("a"));
        var missing = Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, new Other("b")));
        Assert.Equal("b", missing.TensorName);
        Assert.Contains("missing", missing.Message);
        Checkpoint.Save(dir.Path, "m", new Other("a", "b"));
        var extra = Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, new Other("a")));
        Assert.Equal("b", extra.TensorName);
        Assert.Contains("unexpected", extra.Message);
    }

    [Fact]
    public void ChecksumMismatchIsDetectedAndNothingIsModified()
    {
        using var dir = new TempDir();
        Checkpoint.Save(dir.Path, "m", new Model());
        var path = Path.Combine(dir.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var target = new Model(8);
        var before = target.Emb.Table.Value.ToArray();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, target));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Equal(before, target.Emb.Table.Value.ToArray());
    }

    [Fact]
    public void OptimizerKindAndPresenceAreChecked()
    {
        using var dir = new TempDir();
        var m = new Model();
        Checkpoint.Save(dir.Path, "m", m);
        Assert.Contains("no optimizer state", Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, m, MakeOpt(m))).Message);
        Checkpoint.Save(dir.Path, "m", m, MakeOpt(m));
        var sgd = new Sgd(ParameterGroup.ByTag(m.Parameters(), 0.1f, 0f));
        Assert.Contains("kind", Assert.Throws<CheckpointException>(() => Checkpoint.Load(dir.Path, m, sgd)).Message);
        Assert.Contains("manifest not found", Assert.Throws<CheckpointException>(() => Checkpoint.Load(Path.Combine(dir.Path, "nope"), m)).Message);
    }
}
