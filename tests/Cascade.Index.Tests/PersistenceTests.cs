using Cascade.Index;

namespace Cascade.Index.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cascade-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HnswIndex BuildWithHistory(out float[] data)
    {
        const int dim = 12;
        data = SyntheticVectors.GaussianMixture(2_500, dim, 10, 0.2f, normalize: true, seed: 41);
        var index = new HnswIndex(dim, new HnswOptions { Metric = Metric.Cosine, M = 8, EfConstruction = 64, Seed = 5 });
        for (int i = 0; i < 2_500; i++) index.Upsert(i * 3L, data.AsSpan(i * dim, dim));
        for (int i = 0; i < 100; i++) index.Delete(i * 3L); // 100 < sweep threshold: tombstones are saved as pending
        for (int i = 0; i < 200; i += 2) index.Upsert(1_000_000 + i, data.AsSpan(i * dim, dim));
        return index;
    }

    [Fact]
    public void RoundTripPreservesSearchesVectorsAndStructure()
    {
        var index = BuildWithHistory(out var data);
        string path = Path.Combine(_dir, "index.hnsw");
        index.Save(path);
        Assert.Single(Directory.GetFiles(_dir)); // the temporary file was renamed, not left behind
        var loaded = HnswIndex.Load(path);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Options, loaded.Options);
        for (int q = 0; q < 50; q++)
        {
            var query = data.AsSpan(q * 7 * 12, 12);
            Assert.Equal(index.Search(query, 10, 50), loaded.Search(query, 10, 50));
        }
        var a = new float[12];
        var b = new float[12];
        index.GetVector(300, a);
        loaded.GetVector(300, b);
        Assert.Equal(a, b);
        Assert.True(loaded.CheckIntegrity().IsSound);
        // The loaded index keeps working: its pending deletions sweep and new writes link.
        loaded.Compact();
        loaded.Upsert(42_000, data.AsSpan(0, 12));
        Assert.Equal(42_000, loaded.Search(data.AsSpan(0, 12), 1, 50, id => id == 42_000)[0].Id);
        Assert.True(loaded.CheckIntegrity().IsSound);
    }

    [Fact]
    public void CorruptTruncatedAndForeignFilesAreRejected()
    {
        var index = BuildWithHistory(out _);
        string path = Path.Combine(_dir, "index.hnsw");
        index.Save(path);
        var bytes = File.ReadAllBytes(path);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        var corrupt = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path));
        Assert.Contains("checksum", corrupt.Message);
        Assert.Contains(path, corrupt.Message);

        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path));

        var foreign = (byte[])bytes.Clone();
        foreign[0] = (byte)'X';
        File.WriteAllBytes(path, foreign);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path)).Message);

        var future = (byte[])bytes.Clone();
        future[8] = 99; // format version
        File.WriteAllBytes(path, future);
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path)).Message);
    }

    [Fact]
    public void SaveIsAtomicOverAnExistingFile()
    {
        var index = BuildWithHistory(out _);
        string path = Path.Combine(_dir, "index.hnsw");
        index.Save(path);
        index.Upsert(7_777_777, new float[12] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        index.Save(path);
        Assert.True(HnswIndex.Load(path).Contains(7_777_777));
        Assert.Single(Directory.GetFiles(_dir));
    }
}
