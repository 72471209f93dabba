using System.CommandLine;
using Cascade.Cli;

var root = new RootCommand("Cascade: an online-advertising recommendation system (retrieval → pre-ranking → ranking → auction) in .NET.");
root.Subcommands.Add(DemoCommand.Create());
var bench = new Command("bench", "Benchmarks; each accepts --json and then prints exactly one JSON object.");
bench.Subcommands.Add(Cascade.Cli.Bench.BenchMlpCommand.Create());
root.Subcommands.Add(bench);
return root.Parse(args).Invoke();
