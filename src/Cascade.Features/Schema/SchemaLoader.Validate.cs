namespace Cascade.Features.Schema;

public static partial class SchemaLoader
{
    /// <summary>Validates a schema built in code; returns every error (empty when valid).</summary>
    public static IReadOnlyList<SchemaError> Validate(DatasetSchema schema)
    {
        var ctx = new Context(schema.File ?? "<code>");
        Validate(schema, ctx);
        return ctx.Errors;
    }

    private static void Validate(DatasetSchema schema, Context ctx)
    {
        var seen = new Dictionary<string, FeatureSpec>();
        var tables = new Dictionary<string, FeatureSpec>();
        if (schema.Features.Count == 0)
            ctx.Add(1, 1, "dataset.features", "the list is empty.", "declare at least one feature.");
        foreach (var f in schema.Features)
        {
            string at = $"feature '{f.Name}'";
            void Err(string field, string problem, string fix) => ctx.Add(f.Line, 1, $"{at}.{field}", problem, fix);
            if (!seen.TryAdd(f.Name, f))
                Err("name", $"duplicate name (first declared on line {seen[f.Name].Line}).", "rename one of them; use 'source:' to read the same column twice.");
            if (f.Name == schema.Label)
                Err("name", "a feature has the same name as the label.", "rename the feature or point 'source:' at the label column deliberately under another name.");
            bool idKind = f.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence;
            if (idKind && f.Encoding == IdEncoding.Hashed && f.HashBuckets <= 0)
                Err("hash_buckets", "hashed encoding needs a bucket count.", "add e.g. 'hash_buckets: 1000000'.");
            if (f.Kind is FeatureKind.Mns or FeatureKind.EmbeddingSimilarity or FeatureKind.LshHashId)
            {
                if (f.Bases.Count == 0) Err("bases", "no bases.", "use e.g. [2, 3, 10].");
                if (f.Bases.Distinct().Count() != f.Bases.Count) Err("bases", "a base is repeated.", "list each base once.");
            }
            if (f.Kind is FeatureKind.EmbeddingSimilarity)
            {
                if (f.VectorDim <= 0) Err("vector_dim", "similarity needs the vector length.", "add 'vector_dim: 64'.");
                if (f.SecondSource is null) Err("second_source", "similarity needs two vectors (source and second_source).", "add 'second_source: item_vector'.");
            }
            if (f.Kind is FeatureKind.LshHashId && f.VectorDim <= 0)
                Err("vector_dim", "LSH needs the content-vector length.", "add 'vector_dim: 64'.");
            if (f.Monotone != MonotoneDirection.None && f.Kind is not (FeatureKind.Dense or FeatureKind.Bucketized or FeatureKind.Mns))
                Err("monotone", $"a monotone direction only makes sense on numeric features, not {SnakeCase(f.Kind.ToString())}.",
                    "remove 'monotone:' or make the feature dense, bucketized or mns.");
            if (f.Transform != DenseTransform.Raw && f.Kind != FeatureKind.Dense)
                Err("transform", "'transform' applies only to dense features.", "remove it or set 'kind: dense'.");
            if (f.Kind == FeatureKind.Dense && f.EmbeddingTable is not null)
                Err("embedding_table", "dense features have no embedding table.", "remove 'embedding_table:'.");
            if (f.Kind != FeatureKind.Dense)
            {
                if (tables.TryGetValue(f.Table, out var other))
                {
                    if (other.EmbeddingDim != f.EmbeddingDim)
                        Err("embedding_dim", $"shares table '{f.Table}' with '{other.Name}' (dim {other.EmbeddingDim}) but has dim {f.EmbeddingDim}.",
                            "give features that share a table the same embedding_dim.");
                    if (!idKind || !(other.Kind is FeatureKind.Sparse or FeatureKind.MultiHot or FeatureKind.Sequence))
                        Err("embedding_table", $"only sparse, multi_hot and sequence features can share a table ('{other.Name}' is {SnakeCase(other.Kind.ToString())}).",
                            "give this feature its own table.");
                    else if (other.Encoding != f.Encoding)
                        Err("encoding", $"shares table '{f.Table}' with '{other.Name}' but uses {SnakeCase(f.Encoding.ToString())} encoding.",
                            "use the same encoding for features that share a table.");
                }
                else tables[f.Table] = f;
            }
        }
    }
}
