using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cascade.Features.Schema;

/// <summary>
/// Loads a FuxiCTR-style YAML dataset section into a <see cref="DatasetSchema"/> and validates it, collecting every
/// error with file, line, field, problem and fix. Layout:
/// <code>
/// dataset:
///   name: movielens-1m
///   format: movielens
///   label: label
///   features:
///     - {name: user_id, kind: sparse, side: user, embedding_dim: 32}
///     - {name: genres, kind: multi_hot, side: item, pooling: mean, max_length: 6}
/// </code>
/// </summary>
public static partial class SchemaLoader
{
    /// <summary>Loads and validates a schema file; throws <see cref="SchemaException"/> listing all errors.</summary>
    public static DatasetSchema LoadFile(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new SchemaException([new SchemaError(path, 0, 0, "(file)", "file not found.", "check the path.")]);
        return Load(System.IO.File.ReadAllText(path), path);
    }

    /// <summary>Loads and validates YAML text; <paramref name="file"/> names it in errors.</summary>
    public static DatasetSchema Load(string yaml, string file = "<string>")
    {
        var (schema, errors) = TryLoad(yaml, file);
        if (errors.Count > 0) throw new SchemaException(errors);
        return schema!;
    }

    /// <summary>Loads YAML text and returns the schema (null when unusable) and every error found.</summary>
    public static (DatasetSchema? Schema, IReadOnlyList<SchemaError> Errors) TryLoad(string yaml, string file = "<string>")
    {
        var ctx = new Context(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            ctx.Add(e.Start.Line, e.Start.Column, "(yaml)", $"not valid YAML: {e.Message}",
                "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed bracket).");
            return (null, ctx.Errors);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            ctx.Add(1, 1, "(root)", "the file is empty or not a mapping.", "start the file with 'dataset:'.");
            return (null, ctx.Errors);
        }
        var ds = root.Children.TryGetValue(new YamlScalarNode("dataset"), out var d) ? d as YamlMappingNode : null;
        if (ds is null)
        {
            ctx.Add(root.Start, "dataset", "missing or not a mapping.", "add a 'dataset:' section with name, label and features.");
            return (null, ctx.Errors);
        }
        var schema = ParseDataset(ds, ctx);
        if (schema is not null) Validate(schema, ctx);
        return (ctx.Errors.Count == 0 ? schema : null, ctx.Errors);
    }

    private sealed class Context(string file)
    {
        public readonly List<SchemaError> Errors = [];
        public string File { get; } = file;
        public void Add(long line, long col, string field, string problem, string fix)
            => Errors.Add(new SchemaError(File, (int)line, (int)col, field, problem, fix));
        public void Add(Mark mark, string field, string problem, string fix) => Add(mark.Line, mark.Column, field, problem, fix);
    }
}
