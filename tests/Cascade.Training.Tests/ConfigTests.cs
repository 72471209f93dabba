using Cascade.Training.Config;

namespace Cascade.Training.Tests;

/// <summary>The experiment YAML: defaults, every key, and errors that name file, line and key.</summary>
public class ConfigTests
{
    [Fact]
    public void EmptyFileGivesTheDefaults()
    {
        Assert.Equal(ExperimentConfig.Default with { File = null }, ConfigLoader.Load("", "x.yaml") with { File = null });
    }

    [Fact]
    public void EveryKeyRoundTripsThroughItsText()
    {
        var d = ExperimentConfig.Default;
        foreach (var k in ConfigKeys.All)
            Assert.Equal(k.Get(d), k.Get(k.Set(d, k.Get(d))));
    }

    [Fact]
    public void ReadsSectionsAndModelParameters()
    {
        var c = ConfigLoader.Load("""
            experiment: {name: e1}
            dataset: {source: table, path: data.csv, schema: s.yaml, validation: random}
            model:
              name: hit
              parameters: {heads: 3, tower: [300, 300, 32]}
            optimizer: {name: adamw, lr: 0.002, weight_decay: 0.01}
            training: {epochs: 5, batch_size: 256, loss_reduction: mean, patience: 0}
            """, "e1.yaml");
        Assert.Equal("e1", c.Name);
        Assert.Equal(("table", "data.csv", "random"), (c.Dataset.Source, c.Dataset.Path, c.Dataset.Validation));
        Assert.Equal("3", c.Model.Parameters!["heads"]);
        Assert.Equal("300,300,32", c.Model.Parameters!["tower"]);
        Assert.Equal(("adamw", 0.002f, 0.01f), (c.Optimizer.Name, c.Optimizer.LearningRate, c.Optimizer.WeightDecay));
        Assert.Equal((5, 256, "mean", 0), (c.Training.Epochs, c.Training.BatchSize, c.Training.LossReduction, c.Training.Patience));
        Assert.Equal(1e-5f, c.Optimizer.L2Embedding);
        var s = c.ModelSettings();
        Assert.Equal(("hit", 32, 1023UL), (s.Model, s.EmbeddingDim, s.Seed));
    }

    [Theory]
    [InlineData("training:\n  epochs: 0\n", 2, "training.epochs", "integer ≥ 1")]
    [InlineData("training:\n  epoch: 3\n", 2, "training.epoch", "unknown key")]
    [InlineData("optimizer:\n  name: adam\n  lr: fast\n", 3, "optimizer.lr", "expected a number")]
    [InlineData("dataset:\n  protocol: leaky\n", 2, "dataset.protocol", "inttower | clean")]
    [InlineData("trainer:\n  epochs: 3\n", 1, "trainer", "unknown section")]
    [InlineData("model:\n  name: hit\n  parameters: [1, 2]\n", 3, "model.parameters", "mapping")]
    [InlineData("training: [1, 2]\n", 1, "training", "mapping")]
    [InlineData("training:\n  epochs: [3\n", 3, "(yaml)", "invalid YAML")] // the unclosed list is detected at the end of the text
    public void ErrorsNameFileLineAndKey(string yaml, int line, string key, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml, "exp.yaml"));
        Assert.Equal("exp.yaml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"exp.yaml:{line}:", e.Message);
    }

    [Fact]
    public void RelativePathsResolveAgainstTheConfigFolder()
    {
        var c = ConfigLoader.Load("dataset: {path: ../data/ml}", "/repo/configs/exp.yaml");
        Assert.Equal(Path.GetFullPath("/repo/data/ml"), c.Resolve(c.Dataset.Path));
        Assert.Equal("/abs/x", c.Resolve("/abs/x"));
    }

    [Fact]
    public void ShippedExperimentConfigsLoad()
    {
        string? dir = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null && dir is null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "configs", "experiments"))) dir = Path.Combine(d.FullName, "configs", "experiments");
        Assert.NotNull(dir);
        var files = Directory.GetFiles(dir!, "*.yaml");
        Assert.True(files.Length >= 11);
        foreach (var f in files)
        {
            var c = ConfigLoader.LoadFile(f);
            Assert.False(string.IsNullOrEmpty(c.Dataset.Path), f);
        }
    }
}
