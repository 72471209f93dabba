using System.CommandLine;
using System.Diagnostics;
using Cascade.Features.Data;
using Cascade.Features.Readers;
using Cascade.Features.Schema;

namespace Cascade.Cli.FeatureCommands;

internal static partial class DataCommand
{
    private static Command TableCommand()
    {
        var schemaArg = new Option<string>("--schema") { Description = "Schema YAML; its format says how to read the data (csv, tsv, amazon, criteo, avazu, taobao).", Required = true };
        var data = new Option<string?>("--data") { Description = "Data file (taobao: folder). Default: the schema's 'path', relative to the schema file." };
        var seed = new Option<ulong>("--seed") { Description = "Split seed.", DefaultValueFactory = _ => 42 };
        var test = new Option<double>("--test-fraction") { Description = "Test fraction.", DefaultValueFactory = _ => 0.2 };
        var val = new Option<double>("--validation-fraction") { Description = "Validation fraction of the rest.", DefaultValueFactory = _ => 0.1 };
        var temporal = new Option<bool>("--temporal") { Description = "Test = newest rows by the schema's timestamp column." };
        var cache = new Option<string?>("--cache") { Description = "Write train/validation/test .cds caches and encoder.json into this folder." };
        var skip = new Option<bool>("--skip-bad-lines") { Description = "Count and skip malformed lines instead of stopping." };
        var cmd = new Command("table", "Read a table described by a schema (CSV/TSV/Amazon/Criteo/Avazu/Taobao), encode and split it.")
            { schemaArg, data, seed, test, val, temporal, cache, skip };
        cmd.SetAction(parse =>
        {
            var sw = Stopwatch.StartNew();
            try
            {
                string schemaPath = parse.GetValue(schemaArg)!;
                var schema = SchemaLoader.LoadFile(schemaPath);
                string? path = parse.GetValue(data) ?? (schema.Path is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(schemaPath))!, schema.Path));
                if (path is null) { Console.Error.WriteLine("no data: pass --data or set 'path:' in the schema."); return 2; }
                var table = TableReaders.Read(schema, path, new ReadOptions(parse.GetValue(skip)));
                var p = TablePreparer.Prepare(schema, table, parse.GetValue(seed), parse.GetValue(test), parse.GetValue(val), parse.GetValue(temporal));
                foreach (var r in p.Reports) Console.WriteLine($"  read {r}");
                foreach (var (k, v) in table.Counters) Console.WriteLine($"  {k}: {v:N0}");
                Console.WriteLine($"  train {p.Train.Count:N0} (positive rate {p.Train.PositiveRate():F4}), validation {p.Validation.Count:N0}, test {p.Test.Count:N0}; {sw.ElapsedMilliseconds} ms");
                foreach (var slot in p.Encoder.Layout.Slots)
                    Console.WriteLine($"  feature {slot.Feature.Name,-18} {slot.Block,-7} offset {slot.Offset,2} width {slot.Width,2} table {slot.TableSize,8}");
                if (parse.GetValue(cache) is { } dir)
                {
                    string meta = p.Encoder.ToJson();
                    DatasetCache.Write(Path.Combine(dir, "train.cds"), p.Train, meta);
                    DatasetCache.Write(Path.Combine(dir, "validation.cds"), p.Validation, meta);
                    DatasetCache.Write(Path.Combine(dir, "test.cds"), p.Test, meta);
                    File.WriteAllText(Path.Combine(dir, "encoder.json"), meta);
                    Console.WriteLine($"  cache written to {dir}");
                }
                return 0;
            }
            catch (Exception e) when (e is DataFormatException or SchemaException or FileNotFoundException or FormatException or ArgumentException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }
}
