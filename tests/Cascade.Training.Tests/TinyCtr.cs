using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Models;
using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Training.Tests;

/// <summary>
/// A learnable synthetic CTR task (SyntheticCtr-like, smaller): users and items carry latent 3-d factors and
/// p(click) = sigmoid(3·a_u·b_i − 0.2), so a model needs the user–item product. Train/validation/test 60/20/20.
/// </summary>
internal sealed class TinyCtr
{
    private const string Schema = """
        dataset:
          name: tiny-ctr
          label: label
          features:
            - {name: user_id, kind: sparse, side: user, lifetime: static, embedding_dim: 8}
            - {name: item_id, kind: sparse, side: item, lifetime: static, embedding_dim: 8}
        """;

    public required SchemaEncoder Encoder { get; init; }
    public required ColumnarDataset Train { get; init; }
    public required ColumnarDataset Validation { get; init; }
    public required ColumnarDataset Test { get; init; }
    public FeatureLayout Layout => Encoder.Layout;

    public static TinyCtr Create(int n = 6000, int users = 80, int items = 50, ulong seed = 5)
    {
        var schema = SchemaLoader.Load(Schema);
        var rng = new Rng(seed);
        float[][] Factors(int count) => Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 3).Select(_ => rng.NextGaussian() * 0.7f).ToArray()).ToArray();
        float[][] a = Factors(users), b = Factors(items);
        var rows = new (int U, int I, float Label)[n];
        for (int r = 0; r < n; r++)
        {
            int u = rng.NextInt(users), i = rng.NextInt(items);
            float dot = a[u][0] * b[i][0] + a[u][1] * b[i][1] + a[u][2] * b[i][2];
            float p = 1f / (1f + MathF.Exp(-(3f * dot - 0.2f)));
            rows[r] = (u, i, rng.NextFloat() < p ? 1f : 0f);
        }
        var raw = new RawRow(schema);
        void Fill((int U, int I, float Label) x)
        {
            raw.Clear();
            raw.Set("user_id", $"u{x.U}"); raw.Set("item_id", $"i{x.I}");
            raw.Label = x.Label; raw.UserId = x.U;
        }
        var fitter = new SchemaEncoderFitter(schema);
        foreach (var x in rows) { Fill(x); fitter.Observe(raw); }
        var encoder = fitter.Build();
        ColumnarDataset Build(int from, int to)
        {
            var builder = new ColumnarDatasetBuilder(encoder);
            for (int r = from; r < to; r++) { Fill(rows[r]); builder.Add(raw); }
            return builder.Build();
        }
        int t = n * 3 / 5, v = n * 4 / 5;
        return new TinyCtr { Encoder = encoder, Train = Build(0, t), Validation = Build(t, v), Test = Build(v, n) };
    }
}

/// <summary>Logistic model on ⟨e_user, e_item⟩ + bias: enough to learn <see cref="TinyCtr"/>; no dropout, so training is deterministic.</summary>
internal sealed class DotModel : CtrModel
{
    private readonly FeatureEmbedder _embedder;
    private readonly FeatureSlot _user, _item;

    public DotModel(FeatureLayout layout, ulong seed = 11, float initStd = 0.1f)
    {
        _embedder = RegisterModule("embedding", new FeatureEmbedder(layout, new EmbedderOptions(8, initStd, seed)));
        _user = layout.Slots.Single(s => s.Feature.Name == "user_id");
        _item = layout.Slots.Single(s => s.Feature.Name == "item_id");
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([1]), group: Parameter.NoDecayGroup));
    }

    public Parameter Bias { get; }

    public override string Name => "dot";

    public override Tensor Forward(ModelInput input)
    {
        var u = _embedder.Embed(input, _user);                         // (B, D)
        var i = _embedder.Embed(input, _item);                         // (B, D)
        var dot = Ops.Sum(Ops.Mul(u, i), 1);                           // (B)
        return Ops.Add(dot, Bias.Value);
    }

    public override IEnumerable<Parameter> EmbeddingParameters() => _embedder.TableParameters();
}
