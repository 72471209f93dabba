using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cascade.Nn;
using Cascade.Nn.Layers;
using Cascade.Nn.Optim;
using Cascade.Tensors;

namespace Cascade.Cli.Bench;

/// <summary>
/// `cascade bench mlp`: one training step of a small CTR model — 8 fields × 16 dims looked up from a 100k-row
/// embedding table, a [300, 300, 32] ReLU MLP, a logit layer, BCE-with-logits, backward, lazy/dense Adam — timed at
/// each batch size, with the bytes allocated per step in steady state (every tensor buffer comes from a
/// <see cref="TensorArena"/> reused across steps, so what remains are the small graph objects).
/// </summary>
public static class BenchMlpCommand
{
    private const int Fields = 8, Dim = 16, Vocab = 100_000, DataBatches = 8;
    private static readonly int[] Hidden = [300, 300, 32];

    /// <summary>Creates the `mlp` subcommand (registered under `bench`).</summary>
    public static Command Create()
    {
        var batch = new Option<string>("--batch") { Description = "Comma-separated batch sizes.", DefaultValueFactory = _ => "256,2048" };
        var steps = new Option<int>("--steps") { Description = "Timed steps per batch size (after warm-up).", DefaultValueFactory = _ => 30 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps per batch size.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout." };
        var cmd = new Command("mlp", "Forward + backward + Adam step of an embedding-fed [300, 300, 32] MLP: samples/s and allocated bytes per step.")
        {
            batch, steps, warmup, json,
        };
        cmd.SetAction(parse =>
        {
            var text = parse.GetValue(batch) ?? "";
            var sizes = new List<int>();
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int b) || b < 2)
                {
                    Console.Error.WriteLine($"--batch: '{part}' is not a batch size ≥ 2 (expected e.g. --batch 256,2048).");
                    return 2;
                }
                sizes.Add(b);
            }
            int n = parse.GetValue(steps), w = parse.GetValue(warmup);
            if (sizes.Count == 0 || n < 1 || w < 0)
            {
                Console.Error.WriteLine("--batch needs at least one size, --steps ≥ 1 and --warmup ≥ 0.");
                return 2;
            }
            return Run(sizes, n, w, parse.GetValue(json));
        });
        return cmd;
    }

    private sealed class CtrModel : Module
    {
        public CtrModel()
        {
            Embedding = RegisterModule("embedding", new Embedding(new EmbeddingOptions(Vocab, Dim, Seed: 1)));
            Mlp = RegisterModule("mlp", new Mlp(new MlpOptions(Fields * Dim, Hidden, Activation.Relu, Seed: 2, Init: InitScheme.KaimingUniform)));
            Logit = RegisterModule("logit", new Linear(Hidden[^1], 1, seed: 3));
        }

        public Embedding Embedding { get; }
        public Mlp Mlp { get; }
        public Linear Logit { get; }

        public Tensor Forward(IntTensor ids)                                   // (B, F)
        {
            var e = Embedding.Forward(ids);                                    // (B, F, D)
            var flat = Ops.Reshape(e, [ids.Dim(0), Fields * Dim]);             // (B, F·D)
            return Logit.Forward(Mlp.Forward(flat));                          // (B, 1)
        }
    }

    private sealed record Measurement(int Batch, double SamplesPerSecond, double MsPerStep, double BytesPerStep,
        double ForwardBytes, double BackwardBytes, double StepBytes, long ArenaFloats);

    private static int Run(List<int> sizes, int steps, int warmup, bool json)
    {
        var results = new List<Measurement>();
        foreach (int b in sizes)
        {
            if (!json) Console.Error.WriteLine($"bench mlp: batch {b}, {warmup} warm-up + {steps} timed steps …");
            results.Add(Measure(b, steps, warmup));
        }
        if (json) PrintJson(results, steps);
        else PrintTable(results);
        return 0;
    }

    private static Measurement Measure(int batch, int steps, int warmup)
    {
        var model = new CtrModel();
        var opt = new Adam(ParameterGroup.ByTag(model.Parameters(), 1e-3f, 0f));
        var rng = new Rng(42);
        var ids = new IntTensor[DataBatches];
        var labels = new Tensor[DataBatches];
        for (int k = 0; k < DataBatches; k++)
        {
            var data = new int[batch * Fields];
            for (int i = 0; i < data.Length; i++) data[i] = rng.NextInt(Vocab);
            ids[k] = new IntTensor(data, [batch, Fields]);
            var y = new float[batch];
            for (int i = 0; i < batch; i++) y[i] = (data[i * Fields] & 1) == 0 ? 1f : 0f;
            labels[k] = Tensor.FromArray(y, [batch, 1]);
        }
        var arena = new TensorArena();
        long fwd = 0, bwd = 0, upd = 0;
        void Step(int s, bool measure)
        {
            using (arena.Activate())
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread();
                opt.ZeroGrad();
                var loss = Ops.BinaryCrossEntropyWithLogits(model.Forward(ids[s % DataBatches]), labels[s % DataBatches]);
                long a1 = GC.GetAllocatedBytesForCurrentThread();
                loss.Backward();
                long a2 = GC.GetAllocatedBytesForCurrentThread();
                opt.Step();
                long a3 = GC.GetAllocatedBytesForCurrentThread();
                if (measure) { fwd += a1 - a0; bwd += a2 - a1; upd += a3 - a2; }
            }
        }
        for (int s = 0; s < warmup; s++) Step(s, measure: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++) Step(s, measure: true);
        sw.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double seconds = sw.Elapsed.TotalSeconds;
        return new Measurement(batch, batch * (double)steps / seconds, seconds * 1000 / steps, allocated / (double)steps,
            fwd / (double)steps, bwd / (double)steps, upd / (double)steps, arena.CapacityFloats);
    }

    private static void PrintTable(List<Measurement> results)
    {
        Console.WriteLine($"bench mlp: {Fields} fields × {Dim} dims from {Vocab:N0} rows → MLP [{string.Join(", ", Hidden)}] → logit, BCE, Adam (lazy rows for the table)");
        Console.WriteLine($"{"batch",6} {"samples/s",12} {"ms/step",9} {"alloc B/step",13} {"fwd",9} {"bwd",9} {"step",9} {"arena MB",9}");
        foreach (var r in results)
            Console.WriteLine($"{r.Batch,6} {r.SamplesPerSecond,12:N0} {r.MsPerStep,9:F2} {r.BytesPerStep,13:N0} {r.ForwardBytes,9:N0} {r.BackwardBytes,9:N0} {r.StepBytes,9:N0} {r.ArenaFloats * 4 / 1e6,9:F1}");
    }

    private static void PrintJson(List<Measurement> results, int steps)
    {
        var rows = new List<BenchResult>();
        foreach (var r in results)
        {
            string c = $"mlp batch={r.Batch} fields={Fields} dim={Dim} vocab={Vocab} hidden={string.Join(',', Hidden)} adam steps={steps}";
            rows.Add(new BenchResult(c, "samples_per_s", r.SamplesPerSecond, "samples/s"));
            rows.Add(new BenchResult(c, "ms_per_step", r.MsPerStep, "ms"));
            rows.Add(new BenchResult(c, "allocated_bytes_per_step", r.BytesPerStep, "B"));
            rows.Add(new BenchResult(c + " phase=forward", "allocated_bytes_per_step", r.ForwardBytes, "B"));
            rows.Add(new BenchResult(c + " phase=backward", "allocated_bytes_per_step", r.BackwardBytes, "B"));
            rows.Add(new BenchResult(c + " phase=optimizer", "allocated_bytes_per_step", r.StepBytes, "B"));
        }
        BenchCommand.WriteJson("bench mlp", rows);
    }
}
