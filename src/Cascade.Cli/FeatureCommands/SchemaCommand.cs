using System.CommandLine;
using Cascade.Features.Encoders;
using Cascade.Features.Schema;

namespace Cascade.Cli.FeatureCommands;

/// <summary>`cascade schema check FILE`: validates a feature schema and explains each error (file:line, field, problem, fix).</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Schema YAML file (a FuxiCTR-style 'dataset:' section)." };
        var check = new Command("check", "Validate a feature schema and explain every error.") { file };
        check.SetAction(parse => Check(parse.GetValue(file)!));
        return new Command("schema", "Feature schema tools.") { check };
    }

    private static int Check(string path)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"{path}: file not found.");
            return 1;
        }
        var (schema, errors) = SchemaLoader.TryLoad(File.ReadAllText(path), path);
        if (schema is not null) errors = Cascade.Features.Readers.TableReaders.CheckColumns(schema);
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                Console.Error.WriteLine($"{e.File}:{e.Line}:{e.Column}: error in {e.Field}");
                Console.Error.WriteLine($"    problem: {e.Problem}");
                Console.Error.WriteLine($"    fix:     {e.Fix}");
            }
            Console.Error.WriteLine($"{errors.Count} error(s).");
            return 1;
        }
        Console.WriteLine($"{path}: OK — dataset '{schema!.Name}' (format {schema.Format}), {schema.Features.Count} features");
        Console.WriteLine($"  {"name",-22} {"kind",-20} {"side",-8} {"lifetime",-8} {"table",-18} {"dim",4}  extra");
        foreach (var f in schema.Features)
        {
            string extra = f.Kind switch
            {
                FeatureKind.Sparse => f.Encoding == IdEncoding.Hashed ? $"hashed {f.HashBuckets}" : $"vocabulary min_count {f.MinCount}",
                FeatureKind.MultiHot => $"pool {f.Pooling.ToString().ToLowerInvariant()} max {f.MaxLength}",
                FeatureKind.Sequence => $"max {f.MaxLength} newest last",
                FeatureKind.Dense => f.Transform.ToString().ToLowerInvariant(),
                FeatureKind.Bucketized => $"{f.NumBuckets} quantile buckets",
                FeatureKind.Mns => $"bases [{string.Join(",", f.Bases)}] max {f.MnsMax} width {new MnsCode(f.Bases, f.MnsMax).Width}",
                FeatureKind.EmbeddingSimilarity => $"cos({f.SourceColumn},{f.SecondSource}) → MNS [{string.Join(",", f.Bases)}]",
                FeatureKind.LshHashId => $"SimHash {f.LshBits} bits of dim {f.VectorDim} → MNS [{string.Join(",", f.Bases)}]",
                _ => "",
            };
            if (f.Monotone != MonotoneDirection.None) extra += $", monotone {f.Monotone.ToString().ToLowerInvariant()}";
            if (f.FieldGroup is not null) extra += $", group {f.FieldPart}/{f.FieldGroup}";
            string table = f.Kind == FeatureKind.Dense ? "-" : f.Table;
            Console.WriteLine($"  {f.Name,-22} {SchemaLoader.SnakeCase(f.Kind.ToString()),-20} {f.Side.ToString().ToLowerInvariant(),-8} " +
                              $"{f.Lifetime.ToString().ToLowerInvariant(),-8} {table,-18} {(f.Kind == FeatureKind.Dense ? "" : f.EmbeddingDim.ToString()),4}  {extra}");
        }
        return 0;
    }
}
