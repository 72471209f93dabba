using Cascade.Features.Data;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Features.Tests;

public class SchemaEncoderTests
{
    internal const string Yaml = """
        dataset:
          name: enc
          label: click
          features:
            - {name: user, kind: sparse, side: user}
            - {name: city, kind: sparse, encoding: hashed, hash_buckets: 50}
            - {name: tags, kind: multi_hot, max_length: 3}
            - {name: hist, kind: sequence, second_source: hist_ts, max_length: 3, embedding_table: item}
            - {name: item, kind: sparse, side: item}
            - {name: price, kind: dense, transform: min_max}
            - {name: bid, kind: bucketized, num_buckets: 4, monotone: increasing}
            - {name: age, kind: mns, bases: [2, 3, 10], mns_max: 100}
            - {name: sim, kind: embedding_similarity, source: uvec, second_source: ivec, vector_dim: 3, mns_max: 20}
            - {name: hid, kind: lsh_hash_id, source: ivec, vector_dim: 3, lsh_bits: 8}
        """;

    internal static SchemaEncoder Fit(out DatasetSchema schema)
    {
        schema = SchemaLoader.Load(Yaml);
        var fitter = new SchemaEncoderFitter(schema);
        var row = new RawRow(schema);
        for (int i = 0; i < 40; i++)
        {
            row.Clear();
            row.Set("user", $"u{i % 7}"); row.Set("city", $"c{i % 5}"); row.Set("tags", "a|b");
            row.Set("hist", $"i{i % 3}|i{(i + 1) % 3}"); row.Set("hist_ts", "100|200");
            row.Set("item", $"i{i % 4}"); row.Set("price", i * 1.5); row.Set("bid", i); row.Set("age", 30);
            fitter.Observe(row);
        }
        return fitter.Build();
    }

    [Fact]
    public void EncodeRowWritesEveryBlock()
    {
        var enc = Fit(out var schema);
        var layout = enc.Layout;
        Assert.Equal(1 + 1 + 1 + 1 + (7 + 5 + 3) + (5 + 3 + 2) + (8 + 6 + 3), layout.SparseWidth);
        Assert.Equal(1, layout.DenseWidth);
        Assert.Equal(2, layout.VarLenCount);
        var row = new RawRow(schema);
        row.Set("user", "u3"); row.Set("city", "c1"); row.Set("tags", "b|zz|a|a");
        row.Set("hist", "i0|i1|i2|i9"); row.Set("hist_ts", "1|2|3|4");
        row.Set("item", "i2"); row.Set("price", 58.5); row.Set("bid", 39); row.Set("age", 51);
        row.Set("uvec", new float[] { 1, 0, 0 }); row.Set("ivec", new float[] { 1, 0, 0 });
        var outRow = new EncodedRow(layout);
        enc.EncodeRow(row, outRow);
        Assert.Equal(enc.IdTableOf("user")!.Encode("u3"), outRow.Sparse[layout["user"].Offset]);
        Assert.NotEqual(0, outRow.Sparse[layout["user"].Offset]);
        Assert.Equal(StableHash.Bucket("c1", 50), outRow.Sparse[layout["city"].Offset]);
        Assert.Equal(1f, outRow.Dense[0], 5); // max of the fit range
        Assert.Equal(4, outRow.Sparse[layout["bid"].Offset]); // boundaries 10, 20, 30: 39 is in the last bucket
        var mns = enc.MnsOf("age")!;
        Assert.Equal(51, mns.Decode(outRow.Sparse.AsSpan(layout["age"].Offset, mns.Width)));
        var sim = enc.MnsOf("sim")!;
        Assert.Equal(20, sim.Decode(outRow.Sparse.AsSpan(layout["sim"].Offset, sim.Width))); // cos = 1 → max
        // multi-hot keeps the first 3 (with OOV 0 for "zz"); the sequence keeps the newest 3, newest last.
        Assert.Equal(3, outRow.VarLenLength[0]);
        Assert.Equal(0, outRow.VarLen[0][1]);
        Assert.Equal(3, outRow.VarLenLength[1]);
        Assert.Equal([2L, 3L, 4L], outRow.VarLenTime[1][..3]);
        Assert.Equal(0, outRow.VarLen[1][2]); // i9 unseen → OOV
        Assert.Equal(enc.IdTableOf("item")!.Encode("i1"), outRow.VarLen[1][0]); // shared table with 'item'
    }

    [Fact]
    public void JsonRoundTripEncodesIdentically()
    {
        var enc = Fit(out var schema);
        var back = SchemaEncoder.FromJson(enc.ToJson());
        var a = new EncodedRow(enc.Layout); var b = new EncodedRow(back.Layout);
        var rng = new FeatureRng(2);
        var row = new RawRow(schema);
        var row2 = new RawRow(back.Schema);
        for (int i = 0; i < 200; i++)
        {
            string u = $"u{rng.NextInt(10)}", t = rng.NextInt(2) == 0 ? "a" : "a|b|c", h = $"i{rng.NextInt(4)}|i{rng.NextInt(4)}";
            float[] vec = [(float)rng.NextGaussian(), (float)rng.NextGaussian(), (float)rng.NextGaussian()];
            double price = rng.NextDouble() * 80;
            foreach (var r in new[] { row, row2 })
            {
                r.Clear();
                r.Set("user", u); r.Set("tags", t); r.Set("hist", h); r.Set("price", price); r.Set("bid", price);
                r.Set("age", (int)price); r.Set("uvec", vec); r.Set("ivec", vec); r.Set("city", u);
            }
            enc.EncodeRow(row, a); back.EncodeRow(row2, b);
            Assert.Equal(a.Sparse, b.Sparse);
            Assert.Equal(a.Dense, b.Dense);
            Assert.Equal(a.VarLenLength, b.VarLenLength);
        }
        Assert.Throws<FormatException>(() => SchemaEncoder.FromJson("{\"version\": 99}"));
        Assert.Throws<FormatException>(() => SchemaEncoder.FromJson("not json"));
    }

    [Fact]
    public void ServingDictionaryAndBatchPathGiveTheSameDataset()
    {
        var enc = Fit(out var schema);
        var request = new Dictionary<string, object?>
        {
            ["user"] = "u2", ["tags"] = new[] { "a", "b" }, ["item"] = "i1", ["price"] = 12.0, ["bid"] = 7, ["age"] = 44L,
            ["hist"] = new[] { "i0", "i2" }, ["hist_ts"] = new[] { 5L, 9L },
        };
        var served = new RawRow(schema);
        foreach (var (k, v) in request) served.Set(k, v);
        var one = new EncodedRow(enc.Layout);
        enc.EncodeRow(served, one);
        var builder = new ColumnarDatasetBuilder(enc);
        var batchRow = new RawRow(schema);
        int iu = schema.IndexOf("user"), it = schema.IndexOf("tags"), ii = schema.IndexOf("item"), ip = schema.IndexOf("price"),
            ib = schema.IndexOf("bid"), ia = schema.IndexOf("age"), ih = schema.IndexOf("hist");
        batchRow.SetText(iu, "u2"); batchRow.SetText(it, "a|b"); batchRow.SetText(ii, "i1"); batchRow.SetNumber(ip, 12);
        batchRow.SetNumber(ib, 7); batchRow.SetNumber(ia, 44); batchRow.SetText(ih, "i0|i2"); batchRow.SetTimestamps(ih, "5|9");
        builder.Add(batchRow);
        var ds = builder.Build();
        Assert.Equal(one.Sparse, ds.SparseRow(0).ToArray());
        Assert.Equal(one.Dense, ds.DenseRow(0).ToArray());
        Assert.Equal(one.VarLen[1][..2], ds.VarLen[1].Row(0).ToArray());
        Assert.Equal([5L, 9L], ds.VarLen[1].Times!);
    }

    [Fact]
    public void BadNumbersNameTheFeature()
    {
        var enc = Fit(out var schema);
        var row = new RawRow(schema);
        row.Set("price", "cheap");
        var e = Assert.Throws<FormatException>(() => enc.EncodeRow(row, new EncodedRow(enc.Layout)));
        Assert.Contains("price", e.Message);
        row.Clear();
        row.Set("uvec", new float[] { 1, 2 }); row.Set("ivec", new float[] { 1, 2 });
        Assert.Contains("sim", Assert.Throws<FormatException>(() => enc.EncodeRow(row, new EncodedRow(enc.Layout))).Message);
    }

    [Fact]
    public void EncodeRowDoesNotAllocateInSteadyState()
    {
        var enc = Fit(out var schema);
        var row = new RawRow(schema);
        row.Set("user", "u1"); row.Set("tags", "a|b"); row.Set("hist", "i1|i2"); row.Set("hist_ts", "1|2");
        row.Set("price", 3.0); row.Set("age", 7); row.Set("ivec", new float[] { 1, 2, 3 }); row.Set("city", "x");
        var o = new EncodedRow(enc.Layout);
        enc.EncodeRow(row, o);
        // Cleanest of five rounds (tiered JIT may charge bookkeeping to this thread once; a real leak shows every round).
        long best = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) enc.EncodeRow(row, o);
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);
    }
}
