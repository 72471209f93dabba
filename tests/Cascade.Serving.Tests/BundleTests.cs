using System.Text.Json.Nodes;
using Cascade.Models;
using Cascade.Serving.Bundles;

namespace Cascade.Serving.Tests;

public class BundleTests
{
    [Fact]
    public void ExportThenLoadRestoresAdsIndexAndRepresentations()
    {
        var dir = TestBundle.Copy();
        var b = Bundle.Load(dir);
        Assert.Equal(TestBundle.Ads, b.Ads.Count);
        Assert.Equal(TestBundle.Ads, b.Index.Count);
        Assert.Equal(["retrieval", "prerank", "rank"], b.Manifest.Stages.Select(s => s.Stage));
        Assert.Equal("deepfm", b.Rank.Name);
        // The cached pre-ranking representations equal EncodeAd recomputed by the loaded model.
        var specs = b.Ads.Select(a => new AdSpec(a.Id, a.Bid, a.Budget, a.Paused, a.Features)).ToList();
        var (again, shape) = Bundle.EncodeAds(b.Encoder, (ITwoTowerModel)b.Prerank, specs);
        Assert.Equal(TestBundle.Ads, shape[0]);
        for (int i = 0; i < b.Ads.Count; i++)
            Assert.Equal(again.AsSpan(i * b.PrerankSize, b.PrerankSize).ToArray(), b.Ads[i].PrerankRepresentation);
        // The index vector of an ad is the retrieval model's ad embedding (cosine index: compare directions).
        var (vectors, vshape) = Bundle.EncodeAds(b.Encoder, (ITwoTowerModel)b.Retrieval, specs[..1]);
        var stored = new float[vshape[1]];
        b.Index.GetVector(specs[0].Id, stored);
        float dot = 0, na = 0, nb = 0;
        for (int j = 0; j < stored.Length; j++) { dot += stored[j] * vectors[j]; na += stored[j] * stored[j]; nb += vectors[j] * vectors[j]; }
        Assert.True(dot / MathF.Sqrt(na * nb) > 0.9999f);
        // Every file but the manifest is listed with a checksum.
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Where(f => f != "manifest.json");
        Assert.Equal(files.Order(), b.Manifest.Files.Select(f => f.Path).Order());
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var dir = TestBundle.Copy();
        File.Delete(Path.Combine(dir, "index.hnsw"));
        var e = Assert.Throws<BundleException>(() => Bundle.Load(dir));
        Assert.Contains("index.hnsw", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void ChecksumMismatchIsNamed()
    {
        var dir = TestBundle.Copy();
        var path = Path.Combine(dir, "reps", "prerank.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<BundleException>(() => Bundle.Load(dir));
        Assert.Contains("prerank.safetensors", e.Message);
        Assert.Contains("checksum mismatch", e.Message);
    }

    [Fact]
    public void ModelThatDoesNotMatchTheWeightsIsRejected()
    {
        var dir = TestBundle.Copy();
        var path = Path.Combine(dir, "manifest.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["stages"]![2]!["parameters"]!["hidden_units"] = "32,8";
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<BundleException>(() => Bundle.Load(dir));
        Assert.Contains("stage 'rank'", e.Message);
        Assert.Contains("do not match", e.Message);
    }

    [Fact]
    public void UnknownModelAndMissingBundleAreClearErrors()
    {
        var dir = TestBundle.Copy();
        var path = Path.Combine(dir, "manifest.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["stages"]![1]!["model"] = "no-such-model";
        File.WriteAllText(path, json.ToJsonString());
        Assert.Contains("no-such-model", Assert.Throws<BundleException>(() => Bundle.Load(dir)).Message);
        Assert.Contains("not found", Assert.Throws<BundleException>(() => Bundle.Load(dir + "-absent")).Message);
    }

    [Fact]
    public void ExportRefusesToOverwriteUnlessAsked()
    {
        var dir = TestBundle.Copy();
        var e = Assert.Throws<BundleException>(() => Bundle.Export(TestBundle.CreateSource(), dir));
        Assert.Contains("already exists", e.Message);
        Bundle.Export(TestBundle.CreateSource(), dir, overwrite: true);
        Assert.Equal(TestBundle.Ads, Bundle.Load(dir).Ads.Count);
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetDirectoryName(dir)!), d => d.Contains(".tmp-") || d.Contains(".old-"));
    }
}
