using System.CommandLine;
using Cascade.Cli;

var root = new RootCommand("Cascade: an online-advertising recommendation system (retrieval → pre-ranking → ranking → auction) in .NET.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(new Command("bench", "Benchmarks; each prints one JSON object with --json.") { Cascade.Cli.Bench.BenchAnnCommand.Create() });
return root.Parse(args).Invoke();
