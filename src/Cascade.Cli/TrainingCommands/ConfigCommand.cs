using System.CommandLine;
using Cascade.Training.Config;

namespace Cascade.Cli.TrainingCommands;

/// <summary>`cascade config show [FILE]`: every experiment setting with its value, its default and what it does.</summary>
public static class ConfigCommand
{
    /// <summary>Creates the `config` command.</summary>
    public static Command Create()
    {
        var file = new Argument<string?>("file") { Description = "Experiment YAML (omit to show the defaults).", Arity = ArgumentArity.ZeroOrOne };
        var show = new Command("show", "Print every setting of an experiment config with its default; settings the file changes are marked *.") { file };
        show.SetAction(parse =>
        {
            var path = parse.GetValue(file);
            ExperimentConfig config;
            try { config = path is null ? ExperimentConfig.Default : ConfigLoader.LoadFile(path); }
            catch (Exception e) when (e is ConfigException or FileNotFoundException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            Print(config);
            return 0;
        });
        var cmd = new Command("config", "Experiment configs (YAML: experiment, dataset, model, optimizer, training).") { show };
        return cmd;
    }

    /// <summary>Writes the settings as `section.key: value  # default …; description` lines.</summary>
    public static void Print(ExperimentConfig config)
    {
        var d = ExperimentConfig.Default;
        if (config.File is not null) Console.WriteLine($"# {config.File}  (* = set by the file)");
        string? section = null;
        foreach (var k in ConfigKeys.All)
        {
            if (k.Section != section)
            {
                section = k.Section;
                Console.WriteLine($"{section}:");
            }
            string value = k.Get(config), def = k.Get(d);
            string mark = value == def ? " " : "*";
            Console.WriteLine($" {mark} {k.Key}: {(value.Length == 0 ? "\"\"" : value)}".PadRight(44) + $" # default {(def.Length == 0 ? "\"\"" : def)}; {k.Description}");
            if (k.Path == "model.embedding_init_std")
            {
                var ps = config.Model.Parameters;
                Console.WriteLine($" {(ps is { Count: > 0 } ? "*" : " ")} parameters:".PadRight(44) + " # default {}; model-specific parameters (the model lists the ones it reads when a key is unknown)");
                if (ps is not null) foreach (var (pk, pv) in ps) Console.WriteLine($"     {pk}: {pv}");
            }
        }
    }
}
