using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cascade.Cli.Bench;
using Cascade.Training.Reproduction;

namespace Cascade.Cli.TrainingCommands;

/// <summary>
/// `cascade reproduce hit-table2 | hit-table3`: trains the paper's rows on MovieLens-1M with the IntTower script
/// settings, prints the table beside the paper's figures and keeps it in docs/reproduction.md (one section per
/// table, protocol, validation mode and batch size, rewritten after every finished run).
/// </summary>
public static class ReproduceCommand
{
    private sealed record Common(Option<string> Data, Option<string> Protocol, Option<string> Validation, Option<int> Repeats, Option<int> EpochsMax,
        Option<int> Batch, Option<string> Results, Option<string> Cache, Option<string> Doc, Option<bool> ReportOnly, Option<bool> Json);

    /// <summary>Creates the `reproduce` command.</summary>
    public static Command Create()
    {
        var cmd = new Command("reproduce", "Reproduce paper tables (every subcommand accepts --json).");
        {
            var c = Options();
            var models = new Option<string>("--models") { Description = "Comma-separated subset of: dssm,dat,mvke,poly-encoder,inttower,wide-deep,deepfm,dcn,autoint,cold,hit." };
            var t2 = new Command("hit-table2", "HIT Table 2: eleven models on MovieLens-1M (AUC mean ± std over seeds, logloss, RelaImpr vs DSSM) beside the paper.") { models };
            Add(t2, c);
            t2.SetAction(parse =>
            {
                var list = parse.GetValue(models)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                IReadOnlyList<ReproductionVariant> rows;
                try { rows = HitTables.Select(HitTables.Table2, list); }
                catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }
                return Run(parse, c, "hit-table2", "HIT Table 2 (MovieLens-1M)", rows, HitTables.Table2Base);
            });
            cmd.Subcommands.Add(t2);
        }
        {
            var c = Options();
            var j = new Option<string>("--j") { Description = "Heads J of the sweep (comma-separated; empty string skips the sweep).", DefaultValueFactory = _ => "1,2,3,4,5,6" };
            var skip = new Option<bool>("--no-ablations") { Description = "Run only the J sweep." };
            var t3 = new Command("hit-table3", "HIT Table 3 (MovieLens column): generator/representer ablations, dynamic features, MAE/MSE generation loss, and the J sweep 1–6.") { j, skip };
            Add(t3, c);
            t3.SetAction(parse =>
            {
                var js = new List<int>();
                foreach (var part in (parse.GetValue(j) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 1)
                    {
                        Console.Error.WriteLine($"--j: '{part}' is not a head count ≥ 1.");
                        return 2;
                    }
                    js.Add(v);
                }
                var rows = (parse.GetValue(skip) ? [] : HitTables.Table3.ToList()).Concat(HitTables.JSweep(js.Where(v => v != 2 || parse.GetValue(skip)))).ToList();
                return Run(parse, c, "hit-table3", "HIT Table 3 and the J sweep (MovieLens-1M)", rows, HitTables.Table3Base);
            });
            cmd.Subcommands.Add(t3);
        }
        return cmd;
    }

    private static Common Options() => new(
        new Option<string>("--data") { Description = "MovieLens-1M folder (users.dat, movies.dat, ratings).", Required = true },
        new Option<string>("--protocol") { Description = "inttower (the scripts, quirks included) or clean (leak-free).", DefaultValueFactory = _ => "inttower" },
        new Option<string>("--validation") { Description = "tail (IntTower: last 20% of the training frame) or random.", DefaultValueFactory = _ => "tail" },
        new Option<int>("--repeats") { Description = "Training seeds per row (1023, 1024, …).", DefaultValueFactory = _ => 1 },
        new Option<int>("--epochs-max") { Description = "Epoch limit (early stopping with patience 3 on validation AUC).", DefaultValueFactory = _ => 20 },
        new Option<int>("--batch") { Description = "Training batch size (IntTower scripts: 2048; HIT text: 256).", DefaultValueFactory = _ => 2048 },
        new Option<string>("--results") { Description = "Folder of per-run JSON results; finished runs there are reused.", DefaultValueFactory = _ => "runs/reproduce" },
        new Option<string>("--cache") { Description = "Prepared-data cache folder ('' for none).", DefaultValueFactory = _ => "runs/data-cache" },
        new Option<string>("--doc") { Description = "Markdown file whose section is rewritten with the table ('' for none).", DefaultValueFactory = _ => "docs/reproduction.md" },
        new Option<bool>("--report-only") { Description = "Train nothing: tabulate the finished runs in --results (e.g. rows run by separate processes) and rewrite the doc section." },
        new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." });

    private static void Add(Command cmd, Common c)
    {
        cmd.Options.Add(c.Data); cmd.Options.Add(c.Protocol); cmd.Options.Add(c.Validation); cmd.Options.Add(c.Repeats); cmd.Options.Add(c.EpochsMax);
        cmd.Options.Add(c.Batch); cmd.Options.Add(c.Results); cmd.Options.Add(c.Cache); cmd.Options.Add(c.Doc); cmd.Options.Add(c.ReportOnly); cmd.Options.Add(c.Json);
    }

    private static int Run(ParseResult parse, Common c, string command, string title, IReadOnlyList<ReproductionVariant> rows, string baseLabel)
    {
        string protocol = parse.GetValue(c.Protocol)!, validation = parse.GetValue(c.Validation)!;
        int repeats = parse.GetValue(c.Repeats), epochs = parse.GetValue(c.EpochsMax), batch = parse.GetValue(c.Batch);
        if (protocol is not ("inttower" or "clean")) { Console.Error.WriteLine($"--protocol: expected inttower or clean, got '{protocol}'."); return 2; }
        if (validation is not ("tail" or "random")) { Console.Error.WriteLine($"--validation: expected tail or random, got '{validation}'."); return 2; }
        if (repeats < 1 || epochs < 1 || batch < 1) { Console.Error.WriteLine("--repeats, --epochs-max and --batch must be ≥ 1."); return 2; }
        string data = parse.GetValue(c.Data)!;
        if (!Directory.Exists(data)) { Console.Error.WriteLine($"--data: '{data}' is not a folder (expected MovieLens-1M)."); return 2; }
        string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;
        var options = new ReproductionOptions(Path.GetFullPath(data), protocol, validation, repeats, epochs, batch, Blank(parse.GetValue(c.Results)), Blank(parse.GetValue(c.Cache)));
        string? doc = Blank(parse.GetValue(c.Doc));
        string key = $"{command}-{protocol}-{validation}-b{batch}-e{epochs}";
        var observer = new ConsoleObserver();
        void Update(IReadOnlyList<RunRecord> records)
        {
            if (doc is null) return;
            // Rows finished by other processes sharing the results folder belong in the same table.
            var all = records.Concat(ReproductionRunner.Finished(rows, options)).DistinctBy(r => (r.Label, r.Seed)).ToList();
            var summary = ReproductionRunner.Summarise(rows, all, baseLabel);
            ReproductionReport.WriteSection(doc, key, Section(title, options, rows.Count, summary, baseLabel));
        }
        IReadOnlyList<RunRecord> records;
        try { records = parse.GetValue(c.ReportOnly) ? ReproductionRunner.Finished(rows, options) : observer.Run(() => ReproductionRunner.Run(rows, options, observer, Update)); }
        catch (Exception e) when (TrainCommand.Expected(e))
        {
            Console.Error.WriteLine($"reproduce: {e.Message}");
            return 1;
        }
        Update(records);
        var summary = ReproductionRunner.Summarise(rows, records.Concat(ReproductionRunner.Finished(rows, options)).DistinctBy(r => (r.Label, r.Seed)).ToList(), baseLabel);
        if (parse.GetValue(c.Json))
        {
            var (cpu, cores, simd) = BenchCommand.Machine();
            var results = summary.SelectMany(r => new object[]
            {
                new { @case = $"reproduce model={r.Model} row={r.Label} protocol={protocol} validation={validation} batch={batch}", metric = "auc", value = r.AucMean, std = r.AucStd, runs = r.Runs, paper = r.PaperAuc },
                new { @case = $"reproduce model={r.Model} row={r.Label} protocol={protocol} validation={validation} batch={batch}", metric = "logloss", value = r.LogLossMean, std = 0.0, runs = r.Runs, paper = (double?)null },
            });
            Console.WriteLine(JsonSerializer.Serialize(new { command = $"reproduce {command}", machine = new { cpu, cores, simd }, commit = BenchCommand.Commit(), results }));
        }
        else Console.WriteLine(ReproductionReport.Table(summary, baseLabel));
        return 0;
    }

    private static string Section(string title, ReproductionOptions o, int rowCount, IReadOnlyList<VariantSummary> summary, string baseLabel)
    {
        int done = summary.Count;
        string seeds = o.Repeats == 1 ? "1023" : $"1023–{1022 + o.Repeats}";
        return $"### {title}: protocol `{o.Protocol}`, validation `{o.Validation}`, batch {o.BatchSize}, at most {o.EpochsMax} epochs\n\n" +
               $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchCommand.Commit()} on {Environment.ProcessorCount} cores: " +
               $"`cascade reproduce {(title.Contains("Table 2") ? "hit-table2" : "hit-table3")} --protocol {o.Protocol} --validation {o.Validation} --batch {o.BatchSize} --repeats {o.Repeats} --epochs-max {o.EpochsMax}`. " +
               $"Training seeds {seeds} (data split seed 1023), embedding dim 32 with N(0, 1e-4) init, Adam lr 1e-3, BCE summed per batch + 1e-5·Σ‖e‖² " +
               $"on the batch's embedding rows, early stopping with patience 3 on validation AUC (best epoch restored), test split evaluated once. " +
               $"{done} of {rowCount} rows finished{(done < rowCount ? " (the others had not run when this section was written)" : "")}.\n\n" +
               ReproductionReport.Table(summary, baseLabel);
    }
}
