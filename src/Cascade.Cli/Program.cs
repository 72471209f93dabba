using System.CommandLine;
using Cascade.Cli;

var root = new RootCommand("Cascade: an online-advertising recommendation system (retrieval → pre-ranking → ranking → auction) in .NET.");
root.Subcommands.Add(DemoCommand.Create());
Cascade.Cli.Bench.BenchCommand.Register(Cascade.Cli.Bench.BenchMlpCommand.Create);
Cascade.Cli.Bench.BenchCommand.Register(Cascade.Cli.Bench.BenchAnnCommand.Create);
Cascade.Cli.Bench.BenchCommand.Register(Cascade.Cli.TrainingCommands.BenchTrainCommand.Create);
root.Subcommands.Add(Cascade.Cli.Bench.BenchCommand.Create());
root.Subcommands.Add(Cascade.Cli.FeatureCommands.SchemaCommand.Create());
root.Subcommands.Add(Cascade.Cli.FeatureCommands.DataCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(Cascade.Cli.TrainingCommands.TrainCommand.Create());
root.Subcommands.Add(Cascade.Cli.TrainingCommands.EvaluateCommand.Create());
root.Subcommands.Add(Cascade.Cli.TrainingCommands.ConfigCommand.Create());
root.Subcommands.Add(Cascade.Cli.TrainingCommands.ReproduceCommand.Create());
return root.Parse(args).Invoke();
