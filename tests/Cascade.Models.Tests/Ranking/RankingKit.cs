using Cascade.Features.Data;

namespace Cascade.Models.Tests.Ranking;

/// <summary>Shared fixtures of the ranking tests: the synthetic task, settings and a small batch.</summary>
internal static class RankingKit
{
    // Small tables (20 users, 10 items) keep the finite-difference checks, which perturb every table element, near 1 s per model.
    public static readonly Lazy<SyntheticCtr> Task = new(() => SyntheticCtr.Create(n: 400, users: 20, items: 10));

    public static readonly string[] Models = ["lr", "wide-deep", "deepfm", "dcn", "autoint", "cold"];

    /// <summary>Settings with the synthetic schema's embedding dim (8) unless told otherwise.</summary>
    public static ModelSettings Settings(string model, int dim = 8, float initStd = 1e-4f, ulong seed = 1023, params (string Key, string Value)[] p) =>
        new(model, p.ToDictionary(x => x.Key, x => x.Value), seed, dim, initStd);

    /// <summary>The first <paramref name="count"/> test rows as one input.</summary>
    public static ModelInput Batch(int count)
    {
        var t = Task.Value;
        var batcher = new Batcher(t.Test, new BatcherOptions(count, 1, BatchOrder.Sequential));
        batcher.StartEpoch(0);
        Assert.True(batcher.Next(out var batch));
        return ModelInput.FromBatch(batch, t.Layout);
    }

    public static void Close(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:G9}, got {actual:G9}");
}
