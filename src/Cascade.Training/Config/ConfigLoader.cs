using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cascade.Training.Config;

/// <summary>A config error with its place: file, line, column and the dotted key.</summary>
public sealed class ConfigException(string file, int line, int column, string key, string problem)
    : Exception($"{file}:{line}:{column}: {key}: {problem}")
{
    /// <summary>The config file.</summary>
    public string File { get; } = file;

    /// <summary>1-based line.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column.</summary>
    public int Column { get; } = column;

    /// <summary>Dotted key ("training.epochs").</summary>
    public string Key { get; } = key;
}

/// <summary>
/// Reads an experiment YAML: five sections (experiment, dataset, model, optimizer, training) of scalar keys from
/// <see cref="ConfigKeys"/>, plus <c>model.parameters</c>, a mapping of model-specific values. Absent keys keep their
/// defaults; unknown sections or keys and malformed values are errors naming the file, line and key.
/// </summary>
/// <example><code>
/// experiment: {name: hit-ml1m}
/// dataset: {source: movielens, path: ../../../shared/data/movielens-1m, protocol: inttower}
/// model: {name: hit, parameters: {heads: 4}}
/// training: {epochs: 20, batch_size: 2048}
/// </code></example>
public static class ConfigLoader
{
    /// <summary>Loads a config file.</summary>
    public static ExperimentConfig LoadFile(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        return Load(System.IO.File.ReadAllText(path), path);
    }

    /// <summary>Parses config text; <paramref name="file"/> names it in errors.</summary>
    public static ExperimentConfig Load(string yaml, string file = "<string>")
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ConfigException(file, (int)e.Start.Line, (int)e.Start.Column, "(yaml)", $"invalid YAML: {e.Message}"); }
        var config = ExperimentConfig.Default with { File = file == "<string>" ? null : file };
        if (stream.Documents.Count == 0) return config;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Error(file, stream.Documents[0].RootNode, "(root)", "expected a mapping of sections (experiment, dataset, model, optimizer, training).");
        foreach (var (k, v) in root.Children)
        {
            string section = ((YamlScalarNode)k).Value ?? "";
            if (!ConfigKeys.Sections.Contains(section))
                throw Error(file, k, section, $"unknown section; known sections: {string.Join(", ", ConfigKeys.Sections)}.");
            if (v is not YamlMappingNode map) throw Error(file, v, section, "expected a mapping of keys.");
            foreach (var (kk, vv) in map.Children)
            {
                string key = ((YamlScalarNode)kk).Value ?? "";
                string path = $"{section}.{key}";
                if (path == "model.parameters")
                {
                    config = config with { Model = config.Model with { Parameters = Parameters(file, vv) } };
                    continue;
                }
                var entry = ConfigKeys.All.FirstOrDefault(e => e.Path == path)
                    ?? throw Error(file, kk, path, $"unknown key; '{section}' knows: {string.Join(", ", Known(section))}.");
                if (vv is not YamlScalarNode scalar) throw Error(file, vv, path, "expected a single value.");
                try { config = entry.Set(config, scalar.Value ?? ""); }
                catch (FormatException e) { throw Error(file, vv, path, e.Message + "."); }
            }
        }
        return config;
    }

    private static IEnumerable<string> Known(string section)
    {
        foreach (var e in ConfigKeys.All) if (e.Section == section) yield return e.Key;
        if (section == "model") yield return "parameters";
    }

    private static Dictionary<string, string> Parameters(string file, YamlNode node)
    {
        if (node is not YamlMappingNode map) throw Error(file, node, "model.parameters", "expected a mapping of parameter: value.");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            string key = ((YamlScalarNode)k).Value ?? "";
            d[key] = v switch
            {
                YamlScalarNode s => s.Value ?? "",
                YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                _ => throw Error(file, v, $"model.parameters.{key}", "expected a value or a list of values."),
            };
        }
        return d;
    }

    private static ConfigException Error(string file, YamlNode node, string key, string problem) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column, key, problem);
}
