using System.Globalization;
using System.Security.Cryptography;
using Cascade.Features.Encoders;
using Cascade.Features.Readers;
using Cascade.Features.Schema;
using Cascade.Features.Simulation;

namespace Cascade.Features.Tests.Simulation;

/// <summary>Determinism, schema/reader round trip, argument errors, bounded memory and the formula pieces.</summary>
public sealed class SimulatorMechanicsTests
{
    private static readonly SimulatorOptions Small = new() { Users = 600, Ads = 150, Days = 2, Seed = 3 };

    private static string[] RunHashes(SimulatorOptions o)
    {
        var streams = new MemoryStream[5];
        for (int i = 0; i < 5; i++) streams[i] = new MemoryStream();
        new MarketSimulator(o).Run(new SimulationStreams
        {
            Users = streams[0], Ads = streams[1], Samples = streams[2], Behaviours = streams[3], Events = streams[4],
        });
        return streams.Select(s => Convert.ToHexString(SHA256.HashData(s.ToArray()))).ToArray();
    }

    [Fact]
    public void SameSeedGivesIdenticalBytesDifferentSeedDiffers()
    {
        var a = RunHashes(Small);
        var b = RunHashes(Small);
        Assert.Equal(a, b);
        var c = RunHashes(Small with { Seed = 4 });
        for (int i = 0; i < a.Length; i++) Assert.NotEqual(a[i], c[i]);
    }

    [Fact]
    public void SkippingAFileDoesNotChangeTheOthers()
    {
        // Rows are simulated whether or not they are written, so the samples do not depend on which sinks exist.
        var all = RunHashes(Small);
        var samples = new MemoryStream();
        new MarketSimulator(Small).Run(new SimulationStreams { Samples = samples });
        Assert.Equal(all[2], Convert.ToHexString(SHA256.HashData(samples.ToArray())));
    }

    [Fact]
    public void DirectoryOutputLoadsThroughSchemaAndCsvReader()
    {
        string dir = TestData.TempDir();
        var o = Small with { ContentInSamples = true };
        var summary = SimulationOutput.WriteDirectory(o, dir, gzip: true);
        foreach (var f in SimulationOutput.Files) Assert.True(File.Exists(Path.Combine(dir, f + ".csv.gz")), f);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        var schema = SchemaLoader.LoadFile(Path.Combine(dir, "schema.yaml"));
        Assert.Equal("click", schema.Label);
        Assert.Equal(FeatureKind.Sequence, schema.Features[schema.IndexOf("hist_ads")].Kind);
        Assert.Equal(MonotoneDirection.Increasing, schema.Features[schema.IndexOf("bid_constraint")].Monotone);
        Assert.Equal(FeatureLifetime.Dynamic, schema.Features[schema.IndexOf("budget_left_ratio")].Lifetime);
        Assert.Equal(FeatureSide.Context, schema.Features[schema.IndexOf("hour")].Side);
        Assert.Equal(FeatureKind.LshHashId, schema.Features[schema.IndexOf("content")].Kind);
        var table = TableReaders.Read(schema, Path.Combine(dir, schema.Path!));
        Assert.Equal(summary.Samples, table.Rows.Count);
        // The HAP source tag reaches every encoded sample: exposures, ranked-but-not-shown and retrieved-only rows.
        Assert.Equal("source", schema.SourceTag);
        var prepared = TablePreparer.Prepare(schema, table);
        var sources = prepared.Train.Sources.Concat(prepared.Validation.Sources).Concat(prepared.Test.Sources).ToArray();
        Assert.Equal(summary.Samples, sources.Length);
        foreach (var tag in new[] { SampleSource.Exposure, SampleSource.Ranking, SampleSource.Retrieval })
            Assert.Contains((byte)tag, sources);
        Assert.Equal(SimulationSchema.Names(SimulationSchema.SampleColumns(o)).Length,
            SimulationSchema.SampleColumns(o).Count);
        string json = File.ReadAllText(Path.Combine(dir, "summary.json"));
        Assert.Contains($"\"samples\": {summary.Samples}", json);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void HeadersMatchTheSchemaAndEveryRowHasAllColumns()
    {
        var streams = new MemoryStream[5];
        for (int i = 0; i < 5; i++) streams[i] = new MemoryStream();
        new MarketSimulator(Small).Run(new SimulationStreams
        {
            Users = streams[0], Ads = streams[1], Samples = streams[2], Behaviours = streams[3], Events = streams[4],
        });
        var lists = new[]
        {
            SimulationSchema.UserColumns, SimulationSchema.AdColumns, SimulationSchema.SampleColumns(Small),
            SimulationSchema.BehaviourColumns, SimulationSchema.EventColumns,
        };
        for (int i = 0; i < 5; i++)
        {
            var rows = new List<string[]>();
            var header = SimRunFixture.Parse(streams[i], rows);
            Assert.Equal(SimulationSchema.Names(lists[i]), header);
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        }
    }

    [Theory]
    [InlineData("Users", 0)]
    [InlineData("Ads", -1)]
    [InlineData("Days", 0)]
    [InlineData("Slots", 17)]
    [InlineData("RetrievalRows", 49)]
    [InlineData("BaseCtr", 0.7)]
    [InlineData("Categories", 1)]
    public void BadOptionsNameTheOptionAndRange(string name, double value)
    {
        var o = name switch
        {
            "Users" => Small with { Users = (int)value },
            "Ads" => Small with { Ads = (int)value },
            "Days" => Small with { Days = (int)value },
            "Slots" => Small with { Slots = (int)value },
            "RetrievalRows" => Small with { RetrievalRows = (int)value },
            "BaseCtr" => Small with { BaseCtr = value },
            _ => Small with { Categories = (int)value },
        };
        var e = Assert.Throws<ArgumentException>(() => new MarketSimulator(o));
        Assert.Contains(name, e.Message);
        Assert.Contains("allowed", e.Message);
        Assert.Throws<ArgumentException>(() => SimulationOutput.WriteDirectory(o, TestData.TempDir()));
    }

    [Fact]
    public void EmptyOutputDirectoryIsRejected()
        => Assert.Throws<ArgumentException>(() => SimulationOutput.WriteDirectory(Small, " "));

    [Fact]
    public void FatigueAndSequenceTermsFollowTheFormula()
    {
        var o = Small;
        var sim = new MarketSimulator(o);
        var market = sim.Market;
        var p = new UserProfile();
        sim.UserModel.Derive(5, p);
        var rt = new RequestTruth(o.Categories, o.HistoryLength, o.Categories * o.TagsPerCategory);
        long now = SimulatorOptions.Epoch + 3600;
        sim.Truth.Prepare(rt, p, hour: 1, device: 0, transient: 0, [], [], 0, now);
        int ad = 0;
        sim.Truth.Evaluate(rt, ad, 0, out double z0, out double c0);
        sim.Truth.Evaluate(rt, ad, 2, out double z2, out double c2);
        Assert.Equal(-2 * TruthModel.FatiguePerExposure, z2 - z0, 12);
        Assert.Equal(c0, c2, 12);
        // One behaviour of another advertiser in the same category, 6 h old: + 0.6 · exp(−0.5).
        int same = -1;
        for (int i = 1; i < market.Count; i++)
            if (market.Category[i] == market.Category[ad] && market.Advertiser[i] != market.Advertiser[ad]) { same = i; break; }
        Assert.True(same > 0);
        sim.Truth.Prepare(rt, p, 1, 0, 0, [same], [now - 21600], 1, now);
        sim.Truth.Evaluate(rt, ad, 0, out double zs, out _);
        Assert.Equal(TruthModel.SequenceWeight * Math.Exp(-0.5), zs - z0, 9);
        // Another ad of the same advertiser and category, just now: category + 1.5 · advertiser, capped at 2 → + 0.6 · 2.
        int sibling = -1;
        for (int i = 1; i < market.Count; i++)
            if (market.Category[i] == market.Category[ad] && market.Advertiser[i] == market.Advertiser[ad]) { sibling = i; break; }
        Assert.True(sibling > 0);
        sim.Truth.Prepare(rt, p, 1, 0, 0, [sibling], [now - 1], 1, now);
        sim.Truth.Evaluate(rt, ad, 0, out double za, out _);
        Assert.Equal(TruthModel.SequenceWeight * TruthModel.SequenceCap, za - z0, 9);
        // The target ad itself in the history adds nothing: repeats are governed by fatigue alone.
        sim.Truth.Prepare(rt, p, 1, 0, 0, [ad], [now - 1], 1, now);
        sim.Truth.Evaluate(rt, ad, 0, out double zself, out _);
        Assert.Equal(z0, zself, 9);
    }

    [Fact]
    public void FixedFormattingMatchesTheRuntimeFormatter()
    {
        var rng = new SimRandom(5);
        var buf = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            double v = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.NextInt(9) - 3);
            int dec = rng.NextInt(8);
            Utf8CsvWriter.FormatFixed(v, dec, buf, out int n);
            string got = System.Text.Encoding.ASCII.GetString(buf, 0, n);
            decimal expected = Math.Round((decimal)v, dec, MidpointRounding.AwayFromZero);
            Assert.Equal(expected, decimal.Parse(got, CultureInfo.InvariantCulture));
            if (dec > 0) Assert.Equal(dec, got.Length - got.IndexOf('.') - 1);
        }
    }

    [Fact]
    public void RandomStreamsAreReproducibleAndUniform()
    {
        var a = SimRandom.For(1, 2, 3);
        var b = SimRandom.For(1, 2, 3);
        double sum = 0, sq = 0;
        bool same = true;
        for (int i = 0; i < 100_000; i++)
        {
            same &= a.NextUInt64() == b.NextUInt64();
            double g = a.NextGaussian();
            same &= g == b.NextGaussian();
            sum += g; sq += g * g;
        }
        Assert.True(same);
        // Mean and variance of 100k standard normals: std errors 0.003 and 0.0045, bounds at ~6 std errors.
        Assert.InRange(sum / 100_000, -0.02, 0.02);
        Assert.InRange(sq / 100_000, 0.97, 1.03);
        Assert.NotEqual(SimRandom.For(1, 2, 3).NextUInt64(), SimRandom.For(1, 2, 4).NextUInt64());
    }

    [Fact]
    public void SmallIntSetAgreesWithHashSet()
    {
        var set = new SmallIntSet(64);
        var twin = new HashSet<int>();
        var rng = new SimRandom(11);
        for (int round = 0; round < 2000; round++)
        {
            set.Clear(); twin.Clear();
            int range = 1 + rng.NextInt(round % 2 == 0 ? 100 : 1_000_000); // dense collisions and sparse ids
            for (int k = 0; twin.Count < 64 && k < 200; k++)
            {
                int v = rng.NextInt(range);
                Assert.Equal(twin.Add(v), set.Add(v));
            }
        }
    }

    [Fact]
    public void RunIsSingleUse()
    {
        var sim = new MarketSimulator(Small with { Users = 50, Ads = 30, Days = 1 });
        sim.Run(new SimulationStreams());
        var e = Assert.Throws<InvalidOperationException>(() => sim.Run(new SimulationStreams()));
        Assert.Contains("once", e.Message);
    }

    public static TheoryData<SimulatorOptions> EdgeMarkets() =>
    [
        new SimulatorOptions { Users = 30, Ads = 1, Days = 1, Categories = 2 },
        new SimulatorOptions { Users = 30, Ads = 5, Days = 2, Categories = 2, TagsPerCategory = 1, RetrievalPool = 2, RankingSize = 1, Slots = 1, RetrievalRows = 1 },
        new SimulatorOptions { Users = 40, Ads = 300, Days = 1, Categories = 250, HistoryLength = 1, MaxRequestsPerSession = 64, EventRate = 1, BudgetScale = 1e-3 },
        new SimulatorOptions { Users = 40, Ads = 300, Days = 1, InterestShare = 0, RetrievalNoise = 0, RankerNoise = 0, Activity = 1, OrganicPerDay = 50 },
    ];

    [Theory]
    [MemberData(nameof(EdgeMarkets))]
    public void EdgeMarketsRunAndKeepTheirInvariants(SimulatorOptions o)
    {
        var samples = new MemoryStream();
        var s = new MarketSimulator(o).Run(new SimulationStreams { Samples = samples, Events = new MemoryStream() });
        var rows = new List<string[]>();
        var header = SimRunFixture.Parse(samples, rows);
        Assert.Equal(s.Samples, rows.Count);
        Assert.True(s.Requests > 0);
        Assert.True(s.Exposures <= o.Slots * s.Requests);
        int ecpm = Array.IndexOf(header, "ecpm"), src = Array.IndexOf(header, "source");
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        Assert.All(rows.Where(r => r[src] != "retrieval"), r => Assert.True(double.Parse(r[ecpm], CultureInfo.InvariantCulture) > 0));
    }
}
