using System.CommandLine;
using System.Globalization;
using Cascade.Features.Simulation;

namespace Cascade.Cli;

/// <summary>
/// `cascade simulate`: writes a seeded ad-market dataset (users, ads, samples with exposure / ranking / retrieval
/// rows, behaviours, advertiser events, schema.yaml, summary.json) into a directory and prints a summary;
/// with --json prints exactly one JSON object on stdout.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Number of users (1..100000000).", DefaultValueFactory = _ => 10_000 };
        var ads = new Option<int>("--ads") { Description = "Number of ads (1..2000000).", DefaultValueFactory = _ => 2_000 };
        var days = new Option<int>("--days") { Description = "Simulated days (1..365).", DefaultValueFactory = _ => 2 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random stream.", DefaultValueFactory = _ => 1UL };
        var outDir = new Option<string>("--out") { Description = "Output directory (created if missing); required unless --no-files." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout instead of a table." };
        var gzip = new Option<bool>("--gzip") { Description = "Write .csv.gz files (gzip, fastest level)." };
        var content = new Option<bool>("--content-in-samples") { Description = "Also write each ad's content vector in samples.csv." };
        var advertisers = new Option<int?>("--advertisers") { Description = "Number of advertisers (default: ads / 10, at least 1)." };
        var activity = new Option<double>("--activity") { Description = "Scale of the daily session probability, (0, 1].", DefaultValueFactory = _ => 0.6 };
        var retrievalRows = new Option<int>("--retrieval-rows") { Description = "Retrieved-only rows written per request.", DefaultValueFactory = _ => 8 };
        var history = new Option<int>("--history-length") { Description = "Behaviour-sequence length (newest last).", DefaultValueFactory = _ => 20 };
        var eventRate = new Option<double>("--event-rate") { Description = "Daily probability of an advertiser action per ad.", DefaultValueFactory = _ => 0.1 };
        var noFiles = new Option<bool>("--no-files") { Description = "Simulate and format every row but write nothing (measures generation + formatting without the disk)." };
        var cmd = new Command("simulate", "Generate a seeded ad-market dataset with ground truth (docs/design/simulator.md).")
        {
            users, ads, days, seed, outDir, json, gzip, content, advertisers, activity, retrievalRows, history, eventRate, noFiles,
        };
        cmd.SetAction(parse =>
        {
            var options = new SimulatorOptions
            {
                Users = parse.GetValue(users),
                Ads = parse.GetValue(ads),
                Days = parse.GetValue(days),
                Seed = parse.GetValue(seed),
                Advertisers = parse.GetValue(advertisers) ?? 0,
                ContentInSamples = parse.GetValue(content),
                Activity = parse.GetValue(activity),
                RetrievalRows = parse.GetValue(retrievalRows),
                HistoryLength = parse.GetValue(history),
                EventRate = parse.GetValue(eventRate),
            };
            string? dir = parse.GetValue(outDir);
            if (dir is null && !parse.GetValue(noFiles))
            {
                Console.Error.WriteLine("cascade simulate: --out DIR is required (or pass --no-files to measure without writing).");
                return 2;
            }
            return Run(options, dir ?? "", parse.GetValue(json), parse.GetValue(gzip), parse.GetValue(noFiles));
        });
        return cmd;
    }

    private static int Run(SimulatorOptions options, string dir, bool json, bool gzip, bool noFiles)
    {
        SimulationSummary s;
        try
        {
            if (!json) Console.Error.WriteLine($"simulating {options.Users} users, {options.Ads} ads, {options.Days} days into {(noFiles ? "nothing (--no-files)" : dir)} ...");
            s = noFiles
                ? new MarketSimulator(options).Run(new SimulationStreams
                {
                    Users = Stream.Null, Ads = Stream.Null, Samples = Stream.Null, Behaviours = Stream.Null, Events = Stream.Null,
                })
                : SimulationOutput.WriteDirectory(options, dir, gzip);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"cascade simulate: {e.Message}");
            return 2;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"cascade simulate: {e.Message}");
            return 1;
        }
        if (json)
        {
            var c = CultureInfo.InvariantCulture;
            string sink = noFiles ? "none" : gzip ? "csv.gz" : "csv";
            Console.WriteLine(string.Create(c,
                $"{{\"command\": \"simulate\", \"machine\": {{\"cores\": {Environment.ProcessorCount}}}, \"out\": \"{dir.Replace("\\", "\\\\").Replace("\"", "\\\"")}\", " +
                $"\"results\": [{{\"case\": \"simulate users={options.Users} ads={options.Ads} days={options.Days} sink={sink}\", " +
                $"\"metric\": \"samples_per_s\", \"value\": {s.SamplesPerSecond:F0}, \"unit\": \"samples/s\"}}, " +
                $"{{\"case\": \"simulate users={options.Users} ads={options.Ads} days={options.Days} sink={sink}\", " +
                $"\"metric\": \"samples_per_cpu_s\", \"value\": {s.SamplesPerCpuSecond:F0}, \"unit\": \"samples/CPU-s\"}}], " +
                $"\"summary\": {SimulationOutput.SummaryJson(options, s).TrimEnd()}}}"));
            return 0;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            users        {s.Users,14:N0}
            ads          {s.Ads,14:N0}
            days         {s.Days,14}
            sessions     {s.Sessions,14:N0}
            requests     {s.Requests,14:N0}
            samples      {s.Samples,14:N0}  (exposure {s.Exposures:N0}, ranking {s.RankingRows:N0}, retrieval {s.RetrievalRows:N0})
            clicks       {s.Clicks,14:N0}  CTR {s.Ctr:P2}
            conversions  {s.Conversions,14:N0}  CVR {s.Cvr:P2}
            behaviours   {s.Behaviours,14:N0}
            events       {s.Events,14:N0}
            samples/s    {s.SamplesPerSecond,14:N0}  ({s.SampleSeconds:F2} s wall for samples, {s.TotalSeconds:F2} s total)
            samples/cpu-s{s.SamplesPerCpuSecond,14:N0}  ({s.SampleCpuSeconds:F2} CPU-s for samples)
            """));
        return 0;
    }
}
