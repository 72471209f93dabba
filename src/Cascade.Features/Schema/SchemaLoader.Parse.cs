using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Cascade.Features.Schema;

public static partial class SchemaLoader
{
    private static readonly string[] DatasetKeys = ["name", "format", "path", "label", "label_threshold", "weight", "user_key", "timestamp", "source_tag", "header", "features"];
    private static readonly string[] FeatureKeys =
    [
        "name", "kind", "source", "second_source", "side", "lifetime", "embedding_table", "embedding_dim", "field_part",
        "field_group", "monotone", "encoding", "min_count", "hash_buckets", "separator", "max_length", "pooling",
        "transform", "num_buckets", "bases", "mns_scale", "mns_offset", "mns_max", "vector_dim", "lsh_bits", "lsh_seed",
    ];
    private static readonly string[] Formats = ["movielens", "amazon", "criteo", "avazu", "taobao", "csv", "tsv"];

    private static DatasetSchema? ParseDataset(YamlMappingNode ds, Context ctx)
    {
        string? name = null, format = "csv", path = null, label = "label", weight = null, userKey = null, ts = null;
        double? threshold = null;
        string? sourceTag = null;
        bool header = true;
        var features = new List<FeatureSpec>();
        bool sawFeatures = false;
        foreach (var (k, v) in ds.Children)
        {
            string key = ((YamlScalarNode)k).Value ?? "";
            string field = "dataset." + key;
            switch (key)
            {
                case "name": name = Scalar(v, field, ctx); break;
                case "format":
                    format = Scalar(v, field, ctx);
                    if (format is not null && Array.IndexOf(Formats, format) < 0)
                        ctx.Add(v.Start, field, $"unknown format '{format}'.", $"use one of: {string.Join(", ", Formats)}.");
                    break;
                case "path": path = Scalar(v, field, ctx); break;
                case "label": label = Scalar(v, field, ctx) ?? "label"; break;
                case "weight": weight = Scalar(v, field, ctx); break;
                case "label_threshold": threshold = Double(v, field, ctx); break;
                case "user_key": userKey = Scalar(v, field, ctx); break;
                case "timestamp": ts = Scalar(v, field, ctx); break;
                case "source_tag": sourceTag = Scalar(v, field, ctx); break;
                case "header": header = Bool(v, field, ctx) ?? true; break;
                case "features":
                    sawFeatures = true;
                    if (v is not YamlSequenceNode seq)
                    {
                        ctx.Add(v.Start, field, "must be a list.", "write each feature as a '- {name: ..., kind: ...}' item.");
                        break;
                    }
                    for (int i = 0; i < seq.Children.Count; i++)
                    {
                        var f = ParseFeature(seq.Children[i], $"features[{i}]", ctx);
                        if (f is not null) features.Add(f);
                    }
                    break;
                default: UnknownKey(k, "dataset", key, DatasetKeys, ctx); break;
            }
        }
        if (name is null) ctx.Add(ds.Start, "dataset.name", "missing.", "add 'name: my-dataset'.");
        if (!sawFeatures) ctx.Add(ds.Start, "dataset.features", "missing.", "add a 'features:' list.");
        if (name is null) return null;
        return new DatasetSchema
        {
            Name = name, Format = format ?? "csv", Path = path, Label = label, LabelThreshold = threshold, Weight = weight, UserKey = userKey,
            Timestamp = ts, SourceTag = sourceTag, Header = header, Features = features, File = ctx.File,
        };
    }

    private static FeatureSpec? ParseFeature(YamlNode node, string at, Context ctx)
    {
        if (node is not YamlMappingNode map)
        {
            ctx.Add(node.Start, at, "a feature must be a mapping.", "write '- {name: x, kind: sparse}'.");
            return null;
        }
        var f = new FeatureSpec { Name = "", Kind = FeatureKind.Sparse, Line = (int)map.Start.Line };
        bool hasKind = false;
        foreach (var (k, v) in map.Children)
        {
            string key = ((YamlScalarNode)k).Value ?? "";
            string field = $"{at}.{key}";
            switch (key)
            {
                case "name": f = f with { Name = Scalar(v, field, ctx) ?? "" }; break;
                case "kind":
                    var kind = EnumValue<FeatureKind>(v, field, ctx);
                    if (kind is not null) f = f with { Kind = kind.Value };
                    hasKind = true;
                    break;
                case "source": f = f with { Source = Scalar(v, field, ctx) }; break;
                case "second_source": f = f with { SecondSource = Scalar(v, field, ctx) }; break;
                case "side": f = f with { Side = EnumValue<FeatureSide>(v, field, ctx) ?? f.Side }; break;
                case "lifetime": f = f with { Lifetime = EnumValue<FeatureLifetime>(v, field, ctx) ?? f.Lifetime }; break;
                case "embedding_table": f = f with { EmbeddingTable = Scalar(v, field, ctx) }; break;
                case "embedding_dim": f = f with { EmbeddingDim = Int(v, field, ctx, 1, 4096) ?? f.EmbeddingDim }; break;
                case "field_part": f = f with { FieldPart = Scalar(v, field, ctx) }; break;
                case "field_group": f = f with { FieldGroup = Scalar(v, field, ctx) }; break;
                case "monotone": f = f with { Monotone = EnumValue<MonotoneDirection>(v, field, ctx) ?? f.Monotone }; break;
                case "encoding": f = f with { Encoding = EnumValue<IdEncoding>(v, field, ctx) ?? f.Encoding }; break;
                case "min_count": f = f with { MinCount = Int(v, field, ctx, 1, int.MaxValue) ?? f.MinCount }; break;
                case "hash_buckets": f = f with { HashBuckets = Int(v, field, ctx, 1, int.MaxValue - 1) ?? f.HashBuckets }; break;
                case "separator": f = f with { Separator = Scalar(v, field, ctx) ?? f.Separator }; break;
                case "max_length": f = f with { MaxLength = Int(v, field, ctx, 1, 100_000) ?? f.MaxLength }; break;
                case "pooling": f = f with { Pooling = EnumValue<PoolingMode>(v, field, ctx) ?? f.Pooling }; break;
                case "transform": f = f with { Transform = EnumValue<DenseTransform>(v, field, ctx) ?? f.Transform }; break;
                case "num_buckets": f = f with { NumBuckets = Int(v, field, ctx, 2, 1_000_000) ?? f.NumBuckets }; break;
                case "bases": f = f with { Bases = IntList(v, field, ctx) ?? f.Bases }; break;
                case "mns_scale": f = f with { MnsScale = Double(v, field, ctx) ?? f.MnsScale }; break;
                case "mns_offset": f = f with { MnsOffset = Double(v, field, ctx) ?? f.MnsOffset }; break;
                case "mns_max": f = f with { MnsMax = Int(v, field, ctx, 1, int.MaxValue) ?? f.MnsMax }; break;
                case "vector_dim": f = f with { VectorDim = Int(v, field, ctx, 1, 65_536) ?? f.VectorDim }; break;
                case "lsh_bits": f = f with { LshBits = Int(v, field, ctx, 1, 30) ?? f.LshBits }; break;
                case "lsh_seed": f = f with { LshSeed = (ulong)(Int(v, field, ctx, 0, int.MaxValue) ?? (int)f.LshSeed) }; break;
                default: UnknownKey(k, at, key, FeatureKeys, ctx); break;
            }
        }
        if (f.Name.Length == 0) ctx.Add(map.Start, at + ".name", "missing.", "give every feature a unique 'name'.");
        if (!hasKind)
            ctx.Add(map.Start, at + ".kind", "missing.", $"add 'kind:' with one of: {string.Join(", ", EnumNames<FeatureKind>())}.");
        return f.Name.Length == 0 ? null : f;
    }

    private static void UnknownKey(YamlNode k, string at, string key, string[] known, Context ctx)
    {
        string? best = known.OrderBy(x => Distance(x, key)).First();
        string fix = Distance(best, key) <= 3 ? $"did you mean '{best}'?" : $"known keys: {string.Join(", ", known)}.";
        ctx.Add(k.Start, $"{at}.{key}", $"unknown key '{key}'.", fix);
    }

    private static string? Scalar(YamlNode v, string field, Context ctx)
    {
        if (v is YamlScalarNode s) return s.Value;
        ctx.Add(v.Start, field, "expected a single value, found a list or mapping.", "write a plain value.");
        return null;
    }

    private static bool? Bool(YamlNode v, string field, Context ctx)
    {
        string? s = Scalar(v, field, ctx);
        if (s is null) return null;
        if (bool.TryParse(s, out bool b)) return b;
        ctx.Add(v.Start, field, $"'{s}' is not true or false.", "write true or false.");
        return null;
    }

    private static int? Int(YamlNode v, string field, Context ctx, long min, long max)
    {
        string? s = Scalar(v, field, ctx);
        if (s is null) return null;
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long x) && x >= min && x <= max) return (int)x;
        ctx.Add(v.Start, field, $"'{s}' is not an integer in [{min}, {max}].", $"write an integer between {min} and {max}.");
        return null;
    }

    private static double? Double(YamlNode v, string field, Context ctx)
    {
        string? s = Scalar(v, field, ctx);
        if (s is null) return null;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)) return x;
        ctx.Add(v.Start, field, $"'{s}' is not a finite number.", "write a number such as 0.5 or 100.");
        return null;
    }

    private static int[]? IntList(YamlNode v, string field, Context ctx)
    {
        if (v is not YamlSequenceNode seq)
        {
            ctx.Add(v.Start, field, "expected a list of integers.", "write e.g. [2, 3, 10].");
            return null;
        }
        var list = new int[seq.Children.Count];
        for (int i = 0; i < list.Length; i++)
        {
            int? x = Int(seq.Children[i], $"{field}[{i}]", ctx, 2, 36);
            if (x is null) return null;
            list[i] = x.Value;
        }
        return list;
    }

    private static T? EnumValue<T>(YamlNode v, string field, Context ctx) where T : struct, Enum
    {
        string? s = Scalar(v, field, ctx);
        if (s is null) return null;
        string norm = s.Replace("_", "").Replace("-", "");
        if (Enum.TryParse<T>(norm, ignoreCase: true, out var e) && !int.TryParse(norm, out _)) return e;
        ctx.Add(v.Start, field, $"'{s}' is not a valid {typeof(T).Name}.", $"use one of: {string.Join(", ", EnumNames<T>())}.");
        return null;
    }

    /// <summary>Enum names in YAML spelling (snake_case).</summary>
    public static IEnumerable<string> EnumNames<T>() where T : struct, Enum
        => Enum.GetNames<T>().Select(SnakeCase);

    /// <summary>PascalCase → snake_case (the YAML spelling of enum values).</summary>
    public static string SnakeCase(string pascal)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
