using System.IO.Hashing;
using Cascade.Index;

namespace Cascade.Index.Tests;

public sealed class MultiVectorPersistenceTests : IDisposable
{
    private const int Dim = 8, Heads = 3, Items = 400;
    private readonly string _dir = Directory.CreateTempSubdirectory("cascade-mvix-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MultiVectorIndex Build(out float[] heads)
    {
        heads = SyntheticVectors.GaussianMixture(Items * Heads, Dim, 12, 0.2f, normalize: true, seed: 71);
        var index = new MultiVectorIndex(Dim, Heads, new HnswOptions { Metric = Metric.InnerProduct, M = 8, EfConstruction = 48, Seed = 3 });
        for (int i = 0; i < Items; i++) index.Upsert(i * 5L, heads.AsSpan(i * Heads * Dim, Heads * Dim));
        for (int i = 0; i < 30; i++) index.Delete(i * 5L);                                            // tombstones in the heads index
        for (int i = 30; i < 60; i++) index.Upsert(i * 5L, heads.AsSpan((i + 100) * Heads * Dim, Heads * Dim)); // updates in place
        return index;
    }

    private static float[] User(int seed) => SyntheticVectors.GaussianMixture(2, Dim, 12, 0.2f, normalize: true, seed: (ulong)seed);

    [Fact]
    public void RoundTripPreservesItemsHeadsAndSearches()
    {
        var index = Build(out var heads);
        string path = Path.Combine(_dir, "items.mvix");
        index.Save(path);
        Assert.Single(Directory.GetFiles(_dir)); // the temporary was renamed, not left behind
        var loaded = MultiVectorIndex.Load(path);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(Items - 30, loaded.Count);
        Assert.Equal(Heads, loaded.HeadsPerItem);
        Assert.Equal(Dim, loaded.Dimensions);
        Assert.Equal(index.Options, loaded.Options);
        for (int u = 0; u < 20; u++)
        {
            var user = User(100 + u);
            Assert.Equal(index.SearchExact(user, 10), loaded.SearchExact(user, 10));
            Assert.Equal(index.Search(user, 10, 40, 80), loaded.Search(user, 10, 40, 80));
        }
        // The loaded index keeps working: deletes, updates and inserts go through its own write path.
        loaded.Delete(35 * 5L);
        Assert.Throws<KeyNotFoundException>(() => loaded.Delete(0));        // deleted before the save
        loaded.Upsert(99_999, heads.AsSpan(0, Heads * Dim));
        Assert.Equal(Items - 30, loaded.Count);
        string again = Path.Combine(_dir, "again.mvix");
        loaded.Save(again);
        Assert.Equal(loaded.SearchExact(User(7), 10), MultiVectorIndex.Load(again).SearchExact(User(7), 10));
    }

    [Fact]
    public void SameItemsGiveTheSameBytes()
    {
        var index = Build(out _);
        string a = Path.Combine(_dir, "a.mvix"), b = Path.Combine(_dir, "b.mvix");
        index.Save(a);
        index.Save(b);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void CorruptTruncatedForeignAndInconsistentFilesAreRejected()
    {
        var index = Build(out _);
        string path = Path.Combine(_dir, "items.mvix");
        index.Save(path);
        var bytes = File.ReadAllBytes(path);
        int itemSection = 8 + 12 + 8; // magic, version/J/D, count: the ids start here

        InvalidDataException Reject(byte[] content)
        {
            File.WriteAllBytes(path, content);
            var e = Assert.Throws<InvalidDataException>(() => MultiVectorIndex.Load(path));
            Assert.Contains(path, e.Message);
            return e;
        }

        var flippedItems = (byte[])bytes.Clone();
        flippedItems[itemSection + 17] ^= 0x04;
        Assert.Contains("item section", Reject(flippedItems).Message);

        var flippedHeads = (byte[])bytes.Clone();
        flippedHeads[bytes.Length - 1000] ^= 0x04;
        Assert.Contains("checksum", Reject(flippedHeads).Message);

        Assert.Contains("truncated", Reject(bytes[..(bytes.Length - 3)]).Message);
        Assert.Contains("truncated", Reject(bytes[..20]).Message);
        Assert.Contains("unexpected bytes", Reject([.. bytes, 0]).Message);

        var foreign = (byte[])bytes.Clone();
        foreign[0] = (byte)'X';
        Assert.Contains("magic", Reject(foreign).Message);

        var future = (byte[])bytes.Clone();
        future[8] = 9;
        Assert.Contains("version 9", Reject(future).Message);

        // A well-formed file (valid checksums) whose item list names an id the heads index does not hold.
        int count = (int)BitConverter.ToInt64(bytes, 20);
        var forged = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(forged.AsSpan(itemSection), 3L); // item 0 (id 150) becomes id 3, which has no heads
        var hash = new XxHash3();
        hash.Append(forged.AsSpan(0, itemSection + count * 8));
        BitConverter.TryWriteBytes(forged.AsSpan(itemSection + count * 8), hash.GetCurrentHashAsUInt64());
        Assert.Contains("has no head", Reject(forged).Message);

        // An HNSW index file is not a multi-vector file.
        var hnsw = new HnswIndex(Dim, new HnswOptions { Metric = Metric.InnerProduct });
        hnsw.Upsert(1, new float[Dim] { 1, 0, 0, 0, 0, 0, 0, 0 });
        hnsw.Save(path);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => MultiVectorIndex.Load(path)).Message);
    }
}
