using Cascade.Features.Schema;

namespace Cascade.Features.Tests;

public class SchemaTests
{
    private const string AllKinds = """
        dataset:
          name: all-kinds
          format: csv
          label: click
          features:
            - {name: user_id, kind: sparse, side: user, encoding: hashed, hash_buckets: 1000, embedding_dim: 8}
            - {name: genres, kind: multi_hot, side: item, pooling: sum, max_length: 4, embedding_dim: 8}
            - {name: price, kind: dense, side: item, lifetime: dynamic, transform: log1p}
            - {name: bid, kind: bucketized, side: item, lifetime: dynamic, num_buckets: 8, monotone: increasing, embedding_dim: 8}
            - {name: age, kind: mns, side: user, bases: [2, 3, 10], mns_max: 120, embedding_dim: 8}
            - {name: history, kind: sequence, side: user, source: hist, second_source: hist_time, max_length: 5, embedding_table: item, embedding_dim: 8}
            - {name: item, kind: sparse, side: item, embedding_table: item, embedding_dim: 8, field_part: ad, field_group: id}
            - {name: gnn_sim, kind: embedding_similarity, source: user_vec, second_source: item_vec, vector_dim: 4, mns_max: 100, embedding_dim: 8}
            - {name: hash_id, kind: lsh_hash_id, side: item, source: item_vec, vector_dim: 4, lsh_bits: 12, embedding_dim: 8}
        """;

    [Fact]
    public void EveryKindAndAttributeParses()
    {
        var s = SchemaLoader.Load(AllKinds);
        Assert.Equal(9, s.Features.Count);
        Assert.Equal("click", s.Label);
        var bid = s.Features[3];
        Assert.Equal(FeatureKind.Bucketized, bid.Kind);
        Assert.Equal(MonotoneDirection.Increasing, bid.Monotone);
        Assert.Equal(FeatureLifetime.Dynamic, bid.Lifetime);
        Assert.Equal([2, 3, 10], s.Features[4].Bases);
        Assert.Equal("item", s.Features[5].Table);
        Assert.Equal("hist_time", s.Features[5].SecondSource);
        Assert.Equal(IdEncoding.Hashed, s.Features[0].Encoding);
        Assert.Equal(PoolingMode.Sum, s.Features[1].Pooling);
        Assert.Equal(DenseTransform.Log1p, s.Features[2].Transform);
        Assert.Equal("ad", s.Features[6].FieldPart);
        Assert.Equal(FeatureKind.LshHashId, s.Features[8].Kind);
        Assert.Equal(12, s.Features[8].LshBits);
        Assert.Equal(7, s.Features[1].Line);
    }

    private static IReadOnlyList<SchemaError> Errors(string yaml) => SchemaLoader.TryLoad(yaml, "test.yaml").Errors;

    [Fact]
    public void UnknownKeyIsReportedWithLineAndSuggestion()
    {
        var e = Assert.Single(Errors("""
            dataset:
              name: x
              features:
                - {name: a, kind: sparse, embeding_dim: 8}
            """));
        Assert.Equal("test.yaml", e.File);
        Assert.Equal(4, e.Line);
        Assert.Contains("embeding_dim", e.Field);
        Assert.Contains("embedding_dim", e.Fix);
    }

    [Fact]
    public void BadEnumListsTheChoices()
    {
        var e = Assert.Single(Errors("dataset:\n  name: x\n  features:\n    - {name: a, kind: spars}\n"));
        Assert.Equal("features[0].kind", e.Field);
        Assert.Contains("multi_hot", e.Fix);
        Assert.Contains("lsh_hash_id", e.Fix);
    }

    [Theory]
    [InlineData("- {name: a, kind: sparse, encoding: hashed}", "hash_buckets")]
    [InlineData("- {name: a, kind: sparse}\n    - {name: a, kind: dense}", "duplicate")]
    [InlineData("- {name: a, kind: embedding_similarity, source: u}", "vector_dim")]
    [InlineData("- {name: a, kind: sparse, monotone: increasing}", "monotone")]
    [InlineData("- {name: a, kind: mns, bases: [2, 2]}", "repeated")]
    [InlineData("- {name: a, kind: mns, bases: [1]}", "[2, 36]")]
    [InlineData("- {name: a, kind: dense, embedding_dim: x}", "not an integer")]
    [InlineData("- {name: a, kind: sparse, transform: min_max}", "only to dense")]
    [InlineData("- {name: a, kind: sparse, embedding_table: t, embedding_dim: 8}\n    - {name: b, kind: sparse, embedding_table: t, embedding_dim: 16}", "same embedding_dim")]
    [InlineData("- {name: a, kind: sparse, embedding_table: t}\n    - {name: b, kind: mns, embedding_table: t}", "can share a table")]
    [InlineData("- {name: a}", "kind")]
    [InlineData("- {name: label, kind: dense}", "label")]
    public void InvalidFeaturesAreExplained(string features, string expected)
    {
        var errors = Errors($"dataset:\n  name: x\n  features:\n    {features}\n");
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => (e.Problem + e.Fix + e.Field).Contains(expected, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.True(e.Line >= 1, e.ToString()));
    }

    [Fact]
    public void YamlSyntaxErrorNamesThePosition()
    {
        var e = Assert.Single(Errors("dataset:\n  name: x\n  features: [\n"));
        Assert.Equal("(yaml)", e.Field);
        Assert.True(e.Line >= 3);
    }

    [Fact]
    public void MissingSectionsAreReported()
    {
        Assert.Contains(Errors("other: 1\n"), e => e.Field == "dataset");
        Assert.Contains(Errors("dataset:\n  format: csv\n"), e => e.Field == "dataset.name");
        Assert.Contains(Errors("dataset:\n  name: x\n  format: parquet\n  features: []\n"), e => e.Field == "dataset.format");
    }

    [Fact]
    public void AllErrorsAreCollectedNotJustTheFirst()
    {
        var errors = Errors("dataset:\n  name: x\n  features:\n    - {name: a, kind: foo}\n    - {name: b, kind: dense, sid: user}\n");
        Assert.Equal(2, errors.Count);
        var ex = Assert.Throws<SchemaException>(() => SchemaLoader.Load("dataset:\n  name: x\n  features:\n    - {name: a, kind: foo}\n"));
        Assert.Contains("<string>:4", ex.Message);
    }

    [Fact]
    public void ShippedConfigSchemasAreValid()
    {
        string? dir = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Cascade.slnx"))) { dir = Path.Combine(d.FullName, "configs", "schemas"); break; }
        Assert.NotNull(dir);
        var files = Directory.GetFiles(dir!, "*.yaml");
        Assert.True(files.Length >= 5, $"expected the shipped schemas in {dir}");
        foreach (var f in files)
        {
            var (schema, errors) = SchemaLoader.TryLoad(File.ReadAllText(f), f);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            Assert.NotNull(schema);
        }
    }

    [Fact]
    public void BuiltInMovieLensSchemaEqualsTheConfigFile()
    {
        string? root = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Cascade.slnx"))) { root = d.FullName; break; }
        var file = SchemaLoader.LoadFile(Path.Combine(root!, "configs", "schemas", "movielens-1m.yaml"));
        var builtIn = Readers.MovieLensSchema.Default();
        static string Json(IEnumerable<FeatureSpec> fs) => System.Text.Json.JsonSerializer.Serialize(fs.Select(f => f with { Line = 0 }));
        Assert.Equal(Json(builtIn.Features), Json(file.Features));
    }
}

public class SchemaColumnTests
{
    [Fact]
    public void FixedFormatsRejectUnknownColumnsWithTheirLine()
    {
        var s = SchemaLoader.Load("dataset:\n  name: x\n  format: criteo\n  label: label\n  features:\n    - {name: a, kind: sparse, source: C1}\n    - {name: b, kind: sparse, source: C27}\n", "c.yaml");
        var e = Assert.Single(Readers.TableReaders.CheckColumns(s));
        Assert.Equal(7, e.Line);
        Assert.Contains("C27", e.Problem);
        Assert.Contains("I13", e.Fix);
        var ml = SchemaLoader.Load("dataset:\n  name: x\n  format: movielens\n  features:\n    - {name: a, kind: sparse, source: zip}\n");
        Assert.Empty(Readers.TableReaders.CheckColumns(ml));
        var csv = SchemaLoader.Load("dataset:\n  name: x\n  features:\n    - {name: anything, kind: sparse}\n");
        Assert.Empty(Readers.TableReaders.CheckColumns(csv));
        foreach (var f in Directory.GetFiles(Path.Combine(ReaderTests.RepoRoot(), "configs", "schemas"), "*.yaml"))
            Assert.Empty(Readers.TableReaders.CheckColumns(SchemaLoader.LoadFile(f)));
    }
}
