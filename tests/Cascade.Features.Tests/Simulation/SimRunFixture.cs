using System.Text;
using Cascade.Features.Simulation;

namespace Cascade.Features.Tests.Simulation;

/// <summary>One medium simulation (2.5k users, 500 ads, 2 days, ~115k samples) shared by the statistical tests.</summary>
public sealed class SimRunFixture
{
    public static readonly SimulatorOptions Options = new() { Users = 2500, Ads = 500, Days = 2, Seed = 7 };

    public SimulationSummary Summary { get; }
    public string[] SampleHeader { get; }
    public List<string[]> Samples { get; } = [];
    public List<string[]> Users { get; } = [];
    public List<string[]> Behaviours { get; } = [];
    public List<string[]> Events { get; } = [];
    public List<string[]> Ads { get; } = [];

    public SimRunFixture()
    {
        var streams = new MemoryStream[5];
        for (int i = 0; i < 5; i++) streams[i] = new MemoryStream();
        Summary = new MarketSimulator(Options).Run(new SimulationStreams
        {
            Users = streams[0], Ads = streams[1], Samples = streams[2], Behaviours = streams[3], Events = streams[4],
        });
        SampleHeader = Parse(streams[2], Samples);
        Parse(streams[0], Users);
        Parse(streams[1], Ads);
        Parse(streams[3], Behaviours);
        Parse(streams[4], Events);
    }

    /// <summary>Splits CSV text (no quoting is ever written) into rows; returns the header.</summary>
    public static string[] Parse(MemoryStream s, List<string[]> rows)
    {
        var text = Encoding.UTF8.GetString(s.GetBuffer(), 0, (int)s.Length);
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]); // every line ends with '\n'
        for (int i = 1; i < lines.Length - 1; i++) rows.Add(lines[i].Split(','));
        return lines[0].Split(',');
    }

    public int Col(string name)
    {
        int i = Array.IndexOf(SampleHeader, name);
        Assert.True(i >= 0, $"samples header lacks {name}");
        return i;
    }
}
