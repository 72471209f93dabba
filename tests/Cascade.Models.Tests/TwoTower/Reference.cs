using Cascade.Features.Encoders;
using Cascade.Nn;
using Cascade.Tensors;

namespace Cascade.Models.Tests.TwoTower;

/// <summary>
/// Float64 twins of the model pieces, written from the equations with plain loops over parameter values, for the
/// golden tests: embedding lookups, Linear, batch norm in evaluation mode, ReLU, L2 normalisation, cosine.
/// </summary>
internal static class Reference
{
    public static Tensor Param(Module m, string name) =>
        m.NamedParameters().FirstOrDefault(p => p.Name == name).Parameter?.Value
        ?? throw new KeyNotFoundException($"no parameter {name}; have {string.Join(", ", m.NamedParameters().Select(p => p.Name))}");

    public static Tensor Buffer(Module m, string name) => m.NamedBuffers().First(b => b.Name == name).Buffer;

    /// <summary>Field embedding of row r: a table row, or the mean of a bag's non-padding rows.</summary>
    public static double[] Embed(Module model, ModelInput input, FeatureSlot slot, int r)
    {
        var table = Param(model, $"embedding.{slot.Feature.Table}.weight");
        int d = table.Dim(1);
        var e = new double[d];
        if (slot.Block == FeatureBlock.Sparse)
        {
            var ids = input.SparseIds(slot.Feature.Name);
            for (int w = 0; w < slot.Width; w++)
                for (int k = 0; k < d; k++) e[k] += table[ids.Data[r * slot.Width + w], k];
            return e;
        }
        var (flat, offsets) = input.VarLenIds(slot.Feature.Name);
        int count = 0;
        for (int j = offsets.Data[r]; j < offsets.Data[r + 1]; j++)
        {
            if (flat.Data[j] == 0) continue;
            count++;
            for (int k = 0; k < d; k++) e[k] += table[flat.Data[j], k];
        }
        for (int k = 0; k < d; k++) e[k] = count == 0 ? 0 : e[k] / count;
        return e;
    }

    /// <summary>Concatenation of a side's fields for row r in layout order, dense values last.</summary>
    public static double[] SideInput(Module model, ModelInput input, Func<FeatureSlot, bool> keep, int r)
    {
        var parts = new List<double>();
        var slots = input.Layout.Slots.Where(keep).ToList();
        foreach (var s in slots.Where(s => s.Block != FeatureBlock.Dense)) parts.AddRange(Embed(model, input, s, r));
        foreach (var s in slots.Where(s => s.Block == FeatureBlock.Dense)) parts.Add(input.Dense[r, s.Offset]);
        return parts.ToArray();
    }

    public static double[] Linear(double[] x, Tensor w, Tensor? b)
    {
        int o = w.Dim(0), n = w.Dim(1);
        Assert.Equal(n, x.Length);
        var y = new double[o];
        for (int i = 0; i < o; i++)
        {
            double s = b is null ? 0 : b[i];
            for (int j = 0; j < n; j++) s += w[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }

    /// <summary>Linear → batch norm (eval) → ReLU, layer i of an Mlp at <paramref name="prefix"/>.</summary>
    public static double[] MlpLayer(Module m, string prefix, int i, double[] x, bool batchNorm = true, bool activate = true)
    {
        var y = Linear(x, Param(m, $"{prefix}.{i}.weight"), Param(m, $"{prefix}.{i}.bias"));
        if (!activate) return y;
        if (batchNorm)
        {
            var g = Param(m, $"{prefix}.norm{i}.weight");
            var b = Param(m, $"{prefix}.norm{i}.bias");
            var mean = Buffer(m, $"{prefix}.norm{i}.running_mean");
            var var = Buffer(m, $"{prefix}.norm{i}.running_var");
            for (int k = 0; k < y.Length; k++) y[k] = (y[k] - mean[k]) / Math.Sqrt(var[k] + 1e-5) * g[k] + b[k];
        }
        for (int k = 0; k < y.Length; k++) y[k] = Math.Max(0, y[k]);
        return y;
    }

    public static double[] Normalize(double[] x)
    {
        double n = Math.Sqrt(x.Sum(v => v * v));
        return x.Select(v => v / Math.Max(n, 1e-12)).ToArray();
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    public static double Cosine(double[] a, double[] b) => Dot(Normalize(a), Normalize(b));

    /// <summary>Σ over user vectors of the max over ad vectors of the dot product.</summary>
    public static double MaxSum(double[][] user, double[][] ad) => user.Sum(u => ad.Max(a => Dot(u, a)));

    /// <summary>Row r of a (B, H, z) tensor as H vectors.</summary>
    public static double[][] Heads(Tensor t, int r) =>
        Enumerable.Range(0, t.Dim(1)).Select(h => Enumerable.Range(0, t.Dim(2)).Select(k => (double)t[r, h, k]).ToArray()).ToArray();

    public static double[] Row(Tensor t, int r) => Enumerable.Range(0, t.Dim(1)).Select(k => (double)t[r, k]).ToArray();
}
