using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public class ModuleTests
{
    private sealed class Tower : Module
    {
        public Tower(ulong seed)
        {
            Mlp = RegisterModule("mlp", new Mlp(new MlpOptions(4, [8, 2], Norm: MlpNorm.BatchNorm, Dropout: 0.1f, Seed: seed)));
        }

        public Mlp Mlp { get; }
    }

    private sealed class TwoTower : Module
    {
        public TwoTower()
        {
            User = RegisterModule("user_tower", new Tower(1));
            Ad = RegisterModule("ad_tower", new Tower(2));
            Scale = RegisterParameter("scale", new Parameter(Tensor.Full([1], 1f), group: Parameter.NoDecayGroup));
        }

        public Tower User { get; }
        public Tower Ad { get; }
        public Parameter Scale { get; }
    }

    [Fact]
    public void NamesAreHierarchicalAndDeterministic()
    {
        var m = new TwoTower();
        var names = m.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal("scale", names[0]);
        Assert.Equal("user_tower.mlp.0.weight", names[1]);
        Assert.Equal("user_tower.mlp.0.bias", names[2]);
        Assert.Contains("user_tower.mlp.norm0.weight", names);
        Assert.Contains("ad_tower.mlp.1.bias", names);
        Assert.Equal(names, new TwoTower().NamedParameters().Select(p => p.Name).ToList());
        var buffers = m.NamedBuffers().Select(b => b.Name).ToList();
        Assert.Contains("user_tower.mlp.norm0.running_mean", buffers);
        Assert.Contains("ad_tower.mlp.norm1.running_var", buffers);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void ParameterCountSumsEveryTensor()
    {
        var m = new TwoTower();
        // per tower: 4·8 + 8 (linear) + 8 + 8 (norm) + 8·2 + 2 + 2 + 2 = 78; two towers + scale.
        Assert.Equal(2 * 78 + 1, m.ParameterCount);
        Assert.Equal(m.Parameters().Sum(p => (long)p.Size), m.ParameterCount);
    }

    [Fact]
    public void ModePropagatesToChildren()
    {
        var m = new TwoTower();
        Assert.All(m.NamedModules(), x => Assert.True(x.Module.IsTraining));
        m.Eval();
        Assert.All(m.NamedModules(), x => Assert.False(x.Module.IsTraining));
        m.Train();
        Assert.All(m.NamedModules(), x => Assert.True(x.Module.IsTraining));
    }

    [Fact]
    public void ZeroGradClearsEveryParameter()
    {
        var m = new TwoTower();
        var x = Tensor.Randn([5, 4], seed: 3);
        var loss = Ops.Sum(Ops.Add(m.User.Mlp.Forward(x), m.Ad.Mlp.Forward(x)));
        loss.Backward();
        Assert.Contains(m.Parameters(), p => p.Grad is not null && p.Grad.Span.IndexOfAnyExcept(0f) >= 0);
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.True(p.Grad is null || p.Grad.Span.IndexOfAnyExcept(0f) < 0));
    }

    private sealed class Bad : Module
    {
        public Bad(string first, string second)
        {
            RegisterParameter(first, new Parameter(Tensor.Zeros([1])));
            RegisterParameter(second, new Parameter(Tensor.Zeros([1])));
        }
    }

    [Fact]
    public void RejectsDuplicateAndDottedNames()
    {
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => new Bad("w", "w")).Message);
        Assert.Contains("no '.'", Assert.Throws<ArgumentException>(() => new Bad("w", "a.b")).Message);
    }

    [Fact]
    public void ParameterMetadata()
    {
        var emb = new Embedding(new EmbeddingOptions(10, 4));
        Assert.True(emb.Table.IsSparse);
        Assert.Equal(Parameter.EmbeddingGroup, emb.Table.Group);
        var lin = new Linear(3, 2);
        Assert.False(lin.Weight.IsSparse);
        Assert.Equal(Parameter.DecayGroup, lin.Weight.Group);
        Assert.Equal(Parameter.NoDecayGroup, lin.Bias!.Group);
        Assert.True(lin.Weight.Value.RequiresGrad);
        Assert.Throws<ArgumentException>(() => new Parameter(Tensor.Zeros([3]), sparse: true));
    }
}

public class InitTests
{
    [Fact]
    public void SameSeedSameValues()
    {
        var a = Tensor.Zeros([50, 20]);
        var b = Tensor.Zeros([50, 20]);
        Init.XavierUniform(a, new Rng(5));
        Init.XavierUniform(b, new Rng(5));
        Assert.True(a.Span.SequenceEqual(b.Span));
        Init.XavierUniform(b, new Rng(6));
        Assert.False(a.Span.SequenceEqual(b.Span));
    }

    [Fact]
    public void FansFollowOutInLayout()
    {
        Assert.Equal((20, 50), Init.Fans([50, 20]));
        Assert.Equal((7, 7), Init.Fans([7]));
        Assert.Equal((3 * 9, 4 * 9), Init.Fans([4, 3, 3, 3]));
    }

    [Fact]
    public void XavierUniformBoundsAndVariance()
    {
        var t = Tensor.Zeros([400, 200]); // fanIn 200, fanOut 400: a = √(6/600) = 0.1, Var = a²/3
        Init.XavierUniform(t, new Rng(1));
        var s = t.ToArray();
        Assert.All(s, v => Assert.InRange(v, -0.1f, 0.1f));
        double var = s.Select(v => (double)v * v).Average();
        Assert.InRange(var, 0.01 / 3 * 0.95, 0.01 / 3 * 1.05); // 80k samples: relative s.e. of the variance ≈ 0.4 %
    }

    [Fact]
    public void NormalSchemesHaveTheirStd()
    {
        var t = Tensor.Zeros([300, 200]);
        Init.KaimingNormal(t, new Rng(2)); // σ = √2 / √200 = 0.1
        Assert.InRange(Std(t), 0.097, 0.103);
        Init.XavierNormal(t, new Rng(3));  // σ = √(2/500) = 0.0632
        Assert.InRange(Std(t), 0.0613, 0.0652);
        Init.Normal(t, new Rng(4), 0.5f);
        Assert.InRange(Std(t), 0.485, 0.515);
        Init.KaimingUniform(t, new Rng(5)); // a = √2·√(3/200) = 0.1732
        Assert.All(t.ToArray(), v => Assert.InRange(v, -0.1733f, 0.1733f));
    }

    [Fact]
    public void ConstantAndZeros()
    {
        var t = Tensor.Zeros([3, 3]);
        Init.Constant(t, 2.5f);
        Assert.All(t.ToArray(), v => Assert.Equal(2.5f, v));
        Init.Zeros(t);
        Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
        Init.Uniform(t, new Rng(1), 2f, 3f);
        Assert.All(t.ToArray(), v => Assert.InRange(v, 2f, 3f));
    }

    private static double Std(Tensor t)
    {
        var s = t.ToArray();
        double mean = s.Average(v => (double)v);
        return Math.Sqrt(s.Average(v => (v - mean) * (v - mean)));
    }
}
