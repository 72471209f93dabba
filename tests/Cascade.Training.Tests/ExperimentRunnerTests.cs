using System.Globalization;
using System.Text;
using Cascade.Tensors;
using Cascade.Training.Config;

namespace Cascade.Training.Tests;

/// <summary>A config end to end through the generic table path: CSV + schema → table preparer → zoo model → report.</summary>
public class ExperimentRunnerTests
{
    [Fact]
    public void TableConfigTrainsAZooModelAndWritesTheReport()
    {
        string dir = TrainerTests.TempDir();
        try
        {
            // Clicks depend on the item (p = 0.85 for even items, 0.15 for odd ones): a linear model learns it.
            var rng = new Rng(3);
            var csv = new StringBuilder("user,item,click\n");
            for (int r = 0; r < 3000; r++)
            {
                int u = rng.NextInt(50), i = rng.NextInt(20);
                float p = i % 2 == 0 ? 0.85f : 0.15f;
                csv.Append(CultureInfo.InvariantCulture, $"u{u},i{i},{(rng.NextFloat() < p ? 1 : 0)}\n");
            }
            File.WriteAllText(Path.Combine(dir, "log.csv"), csv.ToString());
            File.WriteAllText(Path.Combine(dir, "schema.yaml"), """
                dataset:
                  name: tiny-log
                  format: csv
                  label: click
                  user_key: user
                  features:
                    - {name: user, kind: sparse, side: user, embedding_dim: 8}
                    - {name: item, kind: sparse, side: item, embedding_dim: 8}
                """);
            string configPath = Path.Combine(dir, "exp.yaml");
            File.WriteAllText(configPath, """
                experiment: {name: tiny}
                dataset: {source: table, path: log.csv, schema: schema.yaml, validation_fraction: 0.2}
                model: {name: lr, embedding_dim: 8}
                optimizer: {name: adam, lr: 0.05}
                training: {epochs: 3, batch_size: 128, loss_reduction: mean, patience: 2, output_dir: out, checkpoint_dir: ckpt}
                """);
            var outcome = ExperimentRunner.Run(ConfigLoader.LoadFile(configPath));
            // The Bayes AUC of this task is about 0.85; three epochs of LR get close, 0.75 fails a broken pipeline.
            Assert.True(outcome.Test.Auc > 0.75, $"test AUC {outcome.Test.Auc:F4}");
            Assert.Equal(3, outcome.Training.Epochs.Count);
            foreach (var f in new[] { "report.md", "report.json", "curves-auc.svg", "curves-loss.svg", "model/manifest.json" })
                Assert.True(File.Exists(Path.Combine(dir, "out", f)), f);
            Assert.True(File.Exists(Path.Combine(dir, "ckpt", "latest.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnknownModelParameterIsAnError()
    {
        string dir = TrainerTests.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "log.csv"), "user,item,click\nu1,i1,1\nu2,i2,0\nu1,i2,0\nu2,i1,1\nu3,i1,1\n");
            File.WriteAllText(Path.Combine(dir, "schema.yaml"), "dataset:\n  name: t\n  format: csv\n  label: click\n  features:\n    - {name: user, kind: sparse, side: user}\n    - {name: item, kind: sparse, side: item}\n");
            var config = ConfigLoader.Load("dataset: {source: table, path: log.csv, schema: schema.yaml}\nmodel: {name: lr, parameters: {hiden: 3}}\n", Path.Combine(dir, "exp.yaml"));
            var e = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(config));
            Assert.Contains("hiden", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
