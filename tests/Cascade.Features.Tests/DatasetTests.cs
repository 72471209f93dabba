using Cascade.Features.Data;
using Cascade.Features.Encoders;

namespace Cascade.Features.Tests;

public class DatasetTests
{
    private static ColumnarDataset Make(int n, ulong seed = 4)
    {
        var enc = SchemaEncoderTests.Fit(out var schema);
        var b = new ColumnarDatasetBuilder(enc);
        var row = new RawRow(schema);
        var rng = new FeatureRng(seed);
        for (int i = 0; i < n; i++)
        {
            row.Clear();
            row.Set("user", $"u{rng.NextInt(9)}");
            int len = rng.NextInt(4);
            row.Set("tags", string.Join("|", Enumerable.Range(0, len).Select(k => k % 2 == 0 ? "a" : "b")));
            row.Set("hist", string.Join("|", Enumerable.Range(0, len + 1).Select(k => $"i{k % 3}")));
            row.Set("hist_ts", string.Join("|", Enumerable.Range(0, len + 1).Select(k => (100 + k).ToString())));
            row.Set("price", rng.NextDouble() * 60);
            row.Label = rng.NextInt(2); row.UserId = i % 13; row.Timestamp = rng.NextInt(50);
            row.Source = (SampleSource)rng.NextInt(3);
            b.Add(row);
        }
        return b.Build();
    }

    [Fact]
    public void CacheRoundTripsExactly()
    {
        var ds = Make(500);
        string p = Path.Combine(TestData.TempDir(), "d.cds");
        DatasetCache.Write(p, ds, "{\"meta\":1}");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(p)!, "*.tmp-*"));
        var (back, meta) = DatasetCache.Read(p);
        Assert.Equal("{\"meta\":1}", meta);
        Assert.Equal(ds.Sparse, back.Sparse); Assert.Equal(ds.Dense, back.Dense); Assert.Equal(ds.Labels, back.Labels);
        Assert.Equal(ds.Weights, back.Weights); Assert.Equal(ds.UserIds, back.UserIds); Assert.Equal(ds.Sources, back.Sources);
        Assert.Equal(ds.Timestamps, back.Timestamps);
        for (int c = 0; c < ds.VarLen.Count; c++)
        {
            Assert.Equal(ds.VarLen[c].Offsets, back.VarLen[c].Offsets);
            Assert.Equal(ds.VarLen[c].Values, back.VarLen[c].Values);
            Assert.Equal(ds.VarLen[c].Times, back.VarLen[c].Times);
            Assert.Equal(ds.VarLen[c].Name, back.VarLen[c].Name);
        }
    }

    [Fact]
    public void CorruptTruncatedAndForeignCachesAreRejected()
    {
        var ds = Make(100);
        string dir = TestData.TempDir();
        string p = Path.Combine(dir, "d.cds");
        DatasetCache.Write(p, ds, "m");
        var bytes = File.ReadAllBytes(p);
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(Path.Combine(dir, "flip.cds"), flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => DatasetCache.Read(Path.Combine(dir, "flip.cds"))).Message);
        File.WriteAllBytes(Path.Combine(dir, "cut.cds"), bytes[..(bytes.Length - 100)]);
        Assert.Throws<InvalidDataException>(() => DatasetCache.Read(Path.Combine(dir, "cut.cds")));
        var version = (byte[])bytes.Clone();
        version[8] = 7;
        File.WriteAllBytes(Path.Combine(dir, "v.cds"), version);
        Assert.Contains("version 7", Assert.Throws<InvalidDataException>(() => DatasetCache.Read(Path.Combine(dir, "v.cds"))).Message);
        File.WriteAllText(Path.Combine(dir, "text.cds"), "hello world, not a cache at all....");
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => DatasetCache.Read(Path.Combine(dir, "text.cds"))).Message);
    }

    [Fact]
    public void ShuffledEpochsVisitEveryRowOnceAndDependOnlyOnSeedAndEpoch()
    {
        var ds = Make(1000);
        var a = new Batcher(ds, new BatcherOptions(64, Seed: 3));
        var b = new Batcher(ds, new BatcherOptions(64, Seed: 3));
        List<int> Epoch(Batcher x, int e)
        {
            var rows = new List<int>();
            x.StartEpoch(e);
            while (x.Next(out var batch)) rows.AddRange(batch.Rows[..batch.Count]);
            return rows;
        }
        var e0 = Epoch(a, 0);
        Assert.Equal(Enumerable.Range(0, 1000), e0.Order());
        Assert.Equal(e0, Epoch(b, 0));
        Assert.NotEqual(e0, Epoch(a, 1));
        Assert.Equal(e0, Epoch(a, 0));
        Assert.Equal(16, a.BatchesPerEpoch);
        var drop = new Batcher(ds, new BatcherOptions(64, Seed: 3, DropLast: true));
        Assert.Equal(15 * 64, Epoch(drop, 0).Count);
        Assert.Equal(15, drop.BatchesPerEpoch);
    }

    [Fact]
    public void BatchesCarryTheRightValuesAndPositions()
    {
        var ds = Make(300);
        var batcher = new Batcher(ds, new BatcherOptions(32, Seed: 9));
        batcher.StartEpoch(0);
        while (batcher.Next(out var b))
        {
            for (int k = 0; k < b.Count; k++)
            {
                int i = b.Rows[k];
                Assert.Equal(ds.SparseRow(i).ToArray(), b.Sparse.AsSpan(k * ds.SparseWidth, ds.SparseWidth).ToArray());
                Assert.Equal(ds.DenseRow(i).ToArray(), b.Dense.AsSpan(k * ds.DenseWidth, ds.DenseWidth).ToArray());
                Assert.Equal(ds.Labels[i], b.Labels[k]);
                Assert.Equal(ds.UserIds[i], b.UserIds[k]);
                Assert.Equal(ds.Sources[i], b.Sources[k]);
                for (int c = 0; c < ds.VarLen.Count; c++)
                {
                    var vb = b.VarLen[c];
                    var got = vb.Values.AsSpan(vb.Offsets[k], vb.Offsets[k + 1] - vb.Offsets[k]).ToArray();
                    Assert.Equal(ds.VarLen[c].Row(i).ToArray(), got);
                    int len = got.Length;
                    if (len > 0) Assert.Equal(0, vb.Positions[vb.Offsets[k + 1] - 1]); // newest is position 0
                    if (len > 1) Assert.Equal(len - 1, vb.Positions[vb.Offsets[k]]);
                }
            }
        }
    }

    [Fact]
    public void TimeOrderStreamsByTimestampStably()
    {
        var ds = Make(400);
        var batcher = new Batcher(ds, new BatcherOptions(50, Order: BatchOrder.TimeOrder));
        var rows = new List<int>();
        batcher.StartEpoch(0);
        while (batcher.Next(out var b)) rows.AddRange(b.Rows[..b.Count]);
        var expected = Enumerable.Range(0, 400).OrderBy(i => ds.Timestamps[i]).ThenBy(i => i);
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void BatchingAllocatesNothingPerBatch()
    {
        var ds = Make(2000);
        var batcher = new Batcher(ds, new BatcherOptions(128, Seed: 1));
        // Warm-up epochs let tiered JIT settle (its own bookkeeping is charged to this thread).
        for (int e = 0; e < 30; e++) { batcher.StartEpoch(e); while (batcher.Next(out _)) { } }
        // Tiered JIT may charge a few hundred bytes of its own bookkeeping to this thread in some epoch; a per-batch
        // allocation would show in every epoch, so the cleanest of five epochs must be exactly zero.
        long best = long.MaxValue;
        for (int e = 0; e < 5; e++)
        {
            batcher.StartEpoch(100 + e);
            long before = GC.GetAllocatedBytesForCurrentThread();
            int n = 0;
            while (batcher.Next(out _)) n++;
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(16, n);
        }
        Assert.Equal(0, best);
    }

    [Fact]
    public void SelectKeepsRowsInTheGivenOrder()
    {
        var ds = Make(50);
        var sub = ds.Select([7, 3, 3]);
        Assert.Equal(3, sub.Count);
        Assert.Equal(ds.SparseRow(3).ToArray(), sub.SparseRow(2).ToArray());
        Assert.Equal(ds.VarLen[1].Row(7).ToArray(), sub.VarLen[1].Row(0).ToArray());
    }
}
