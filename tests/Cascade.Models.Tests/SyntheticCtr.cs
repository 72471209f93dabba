using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Nn;
using Cascade.Nn.Optim;
using Cascade.Tensors;
using Cascade.Training.Metrics;

namespace Cascade.Models.Tests;

/// <summary>
/// A learnable synthetic CTR task shared by every model's "learns" test. Users and items carry latent 4-d factors;
/// the click probability is sigmoid(2.5 · a_u · b_i + 0.8 · [item category = user age mod 4] − 0.3), so a model
/// needs the user–item interaction (two towers can express it through the dot product) and profits from the
/// age × category co-action. The Bayes-optimal AUC on this data is about 0.86 (see <see cref="OracleAuc"/>).
/// Features: user_id, age (user, static), item_id, category (item, static), genres (item multi-hot), price (item,
/// dense, dynamic), hour (context, dynamic).
/// </summary>
public sealed class SyntheticCtr
{
    private const string Schema = """
        dataset:
          name: synthetic-ctr
          label: label
          features:
            - {name: user_id, kind: sparse, side: user, lifetime: static, embedding_dim: 8}
            - {name: age, kind: sparse, side: user, lifetime: static, embedding_dim: 8}
            - {name: item_id, kind: sparse, side: item, lifetime: static, embedding_dim: 8}
            - {name: category, kind: sparse, side: item, lifetime: static, embedding_dim: 8}
            - {name: genres, kind: multi_hot, side: item, lifetime: static, max_length: 3, pooling: mean, embedding_dim: 8}
            - {name: price, kind: dense, side: item, lifetime: dynamic, transform: min_max}
            - {name: hour, kind: sparse, side: context, lifetime: dynamic, embedding_dim: 8}
        """;

    private SyntheticCtr(SchemaEncoder encoder, ColumnarDataset train, ColumnarDataset test, double oracleAuc)
    {
        Encoder = encoder;
        Train = train;
        Test = test;
        OracleAuc = oracleAuc;
    }

    /// <summary>The fitted encoder (its Layout builds models).</summary>
    public SchemaEncoder Encoder { get; }

    /// <summary>The encoded layout.</summary>
    public FeatureLayout Layout => Encoder.Layout;

    /// <summary>Training rows.</summary>
    public ColumnarDataset Train { get; }

    /// <summary>Held-out rows.</summary>
    public ColumnarDataset Test { get; }

    /// <summary>AUC of the true click probabilities on the test rows: the ceiling a model can approach.</summary>
    public double OracleAuc { get; }

    /// <summary>Generates the task with <paramref name="users"/> users, <paramref name="items"/> items and n rows (80/20 split).</summary>
    public static SyntheticCtr Create(int n = 12_000, int users = 200, int items = 100, ulong seed = 3)
    {
        var schema = SchemaLoader.Load(Schema);
        var rng = new Rng(seed);
        float[][] a = Factors(rng, users), b = Factors(rng, items);
        int[] age = Enumerable.Range(0, users).Select(_ => rng.NextInt(8)).ToArray();
        int[] cat = Enumerable.Range(0, items).Select(_ => rng.NextInt(4)).ToArray();
        string[] genres = Enumerable.Range(0, items).Select(i => $"g{i % 5}|g{(i * 7) % 6}").ToArray();
        float[] price = Enumerable.Range(0, items).Select(_ => rng.NextFloat() * 100).ToArray();
        var rows = new (int U, int I, int Hour, float P, float Label)[n];
        for (int r = 0; r < n; r++)
        {
            int u = rng.NextInt(users), i = rng.NextInt(items);
            float dot = 0;
            for (int k = 0; k < 4; k++) dot += a[u][k] * b[i][k];
            float logit = 2.5f * dot + (cat[i] == age[u] % 4 ? 0.8f : 0f) - 0.3f;
            float prob = 1f / (1f + MathF.Exp(-logit));
            rows[r] = (u, i, rng.NextInt(24), prob, rng.NextFloat() < prob ? 1f : 0f);
        }
        int nTrain = n * 4 / 5;
        var fitter = new SchemaEncoderFitter(schema);
        var raw = new RawRow(schema);
        void Fill((int U, int I, int Hour, float P, float Label) x)
        {
            raw.Clear();
            raw.Set("user_id", $"u{x.U}"); raw.Set("age", $"a{age[x.U]}");
            raw.Set("item_id", $"i{x.I}"); raw.Set("category", $"c{cat[x.I]}"); raw.Set("genres", genres[x.I]);
            raw.Set("price", (double)price[x.I]); raw.Set("hour", $"h{x.Hour}");
            raw.Label = x.Label; raw.UserId = x.U;
        }
        for (int r = 0; r < nTrain; r++) { Fill(rows[r]); fitter.Observe(raw); }
        var encoder = fitter.Build();
        var train = new ColumnarDatasetBuilder(encoder);
        var test = new ColumnarDatasetBuilder(encoder);
        for (int r = 0; r < n; r++) { Fill(rows[r]); (r < nTrain ? train : test).Add(raw); }
        var testRows = rows.AsSpan(nTrain);
        var p = new float[testRows.Length];
        var l = new float[testRows.Length];
        for (int r = 0; r < testRows.Length; r++) { p[r] = testRows[r].P; l[r] = testRows[r].Label; }
        return new SyntheticCtr(encoder, train.Build(), test.Build(), BinaryMetrics.Auc(p, l));
    }

    private static float[][] Factors(Rng rng, int count) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 4).Select(_ => rng.NextGaussian() * 0.8f).ToArray()).ToArray();

    /// <summary>
    /// Trains <paramref name="model"/> with Adam (mean BCE + the model's auxiliary loss) and returns the test AUC.
    /// A minimal loop for model tests; the real trainer lives in Cascade.Training.
    /// </summary>
    public double TrainAndEvaluate(CtrModel model, int epochs = 4, int batchSize = 256, float lr = 3e-3f, ulong seed = 9)
    {
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), lr, 0f));
        var arena = new TensorArena();
        var batcher = new Batcher(Train, new BatcherOptions(batchSize, seed));
        model.Train();
        for (int e = 0; e < epochs; e++)
        {
            batcher.StartEpoch(e);
            while (batcher.Next(out var batch))
            {
                using (arena.Activate())
                {
                    var input = ModelInput.FromBatch(batch, Layout);
                    opt.ZeroGrad();
                    var scores = model.Forward(input);
                    var loss = model.PredictionLoss(scores, input, LossReduction.Mean);
                    if (model.AuxiliaryLoss is { } aux) loss = Ops.Add(loss, aux);
                    loss.Backward();
                    opt.Step();
                }
            }
        }
        return Evaluate(model);
    }

    /// <summary>Test AUC of the model in eval mode.</summary>
    public double Evaluate(CtrModel model)
    {
        model.Eval();
        var batcher = new Batcher(Test, new BatcherOptions(1024, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        var preds = new List<float>();
        var labels = new List<float>();
        while (batcher.Next(out var batch))
        {
            var input = ModelInput.FromBatch(batch, Layout);
            preds.AddRange(model.Predict(input));
            labels.AddRange(batch.LabelSpan.ToArray());
        }
        model.Train();
        return BinaryMetrics.Auc(preds.ToArray(), labels.ToArray());
    }
}
