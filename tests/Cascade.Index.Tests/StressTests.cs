using System.Diagnostics;
using Cascade.Index;

namespace Cascade.Index.Tests;

public class StressTests
{
    private const int Dim = 16;
    private const int Ids = 1_500;

    /// <summary>
    /// A vector whose last component is a checksum of the others: a torn read (half old, half new) fails the check.
    /// </summary>
    private static float[] Tagged(Random rng)
    {
        var v = new float[Dim];
        float check = 0f;
        for (int i = 0; i < Dim - 1; i++) { v[i] = (float)(rng.NextDouble() * 2 - 1); check += v[i] * (i + 1); }
        v[Dim - 1] = check * 0.01f;
        return v;
    }

    private static bool Intact(ReadOnlySpan<float> v)
    {
        float check = 0f;
        for (int i = 0; i < Dim - 1; i++) check += v[i] * (i + 1);
        return v[Dim - 1] == check * 0.01f;
    }

    [Fact]
    public void ConcurrentSearchesUpsertsAndDeletesKeepTheGraphSound()
    {
        var index = new HnswIndex(Dim, new HnswOptions { Metric = Metric.L2, M = 8, EfConstruction = 48 });
        var last = new float[]?[Ids];            // last vector written per id (null: deleted or never written)
        var deletedAt = new long[Ids];            // timestamp a completed Delete left; long.MaxValue while live
        var idLocks = Enumerable.Range(0, 64).Select(_ => new object()).ToArray();
        var seedRng = new Random(31);
        for (int id = 0; id < Ids; id++)
        {
            last[id] = Tagged(seedRng);
            index.Upsert(id, last[id]);
            deletedAt[id] = long.MaxValue;
        }
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2.5));
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long searches = 0, writes = 0;

        void Writer(int seed)
        {
            var rng = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                int id = rng.Next(Ids); // both writers draw from the same ids: overlapping updates
                lock (idLocks[id % idLocks.Length]) // orders the writes of one id so "last written" is well defined
                {
                    if (rng.NextDouble() < 0.3 && last[id] is not null)
                    {
                        index.Delete(id);
                        last[id] = null;
                        Volatile.Write(ref deletedAt[id], Stopwatch.GetTimestamp());
                    }
                    else
                    {
                        var v = Tagged(rng);
                        Volatile.Write(ref deletedAt[id], long.MaxValue);
                        index.Upsert(id, v);
                        last[id] = v;
                    }
                }
                Interlocked.Increment(ref writes);
            }
        }

        void Reader(int seed)
        {
            var rng = new Random(seed);
            var results = new SearchResult[10];
            var v = new float[Dim];
            while (!stop.IsCancellationRequested)
            {
                var q = Tagged(rng);
                long t0 = Stopwatch.GetTimestamp();
                int n = index.Search(q, 10, 40, results);
                for (int i = 0; i < n; i++)
                {
                    long id = results[i].Id;
                    if (id < 0 || id >= Ids) failures.Enqueue($"unknown id {id}");
                    else if (Volatile.Read(ref deletedAt[id]) < t0) failures.Enqueue($"id {id} returned although deleted before the search began");
                    if (i > 0 && results[i].Distance < results[i - 1].Distance) failures.Enqueue("results out of order");
                }
                int probe = rng.Next(Ids);
                try
                {
                    index.GetVector(probe, v);
                    if (!Intact(v)) failures.Enqueue($"torn vector read for id {probe}");
                }
                catch (KeyNotFoundException)
                {
                    // deleted at the moment: fine
                }
                Interlocked.Increment(ref searches);
            }
        }

        var threads = new[] { new Thread(() => Writer(1)), new Thread(() => Writer(2)), new Thread(() => Reader(3)), new Thread(() => Reader(4)) };
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.True(writes > 100 && searches > 100, $"writes {writes}, searches {searches}");
        index.Compact();
        var report = index.CheckIntegrity();
        Assert.True(report.IsSound, string.Join("\n", report.Problems));
        Assert.Equal(0, report.Tombstones);

        var stored = new float[Dim];
        int live = 0;
        for (int id = 0; id < Ids; id++)
        {
            if (last[id] is null) { Assert.False(index.Contains(id)); continue; }
            live++;
            index.GetVector(id, stored);
            Assert.Equal(last[id], stored); // no update was lost
        }
        Assert.Equal(live, index.Count);

        // Every live vector finds itself: self-recall over ≥ 1,000 items is 1.0 for a sound graph at ef = 64; 0.99
        // allows a handful of near-duplicates that tie at distance 0 on the random tagged data.
        int found = 0;
        for (int id = 0; id < Ids; id++)
            if (last[id] is { } v && index.Search(v, 1, 64)[0].Id == id) found++;
        Assert.True(found >= 0.99 * live, $"self-recall {found}/{live}");
    }
}
