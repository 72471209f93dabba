using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

/// <summary>The default MovieLens-1M schema (the IntTower/HIT Table 2 feature set); same as configs/schemas/movielens-1m.yaml.</summary>
public static class MovieLensSchema
{
    /// <summary>
    /// Columns the MovieLens protocols provide to schema features. <c>history</c> (the user's positives before the
    /// sample, newest last; needs timestamped ratings) takes <c>history_ts</c> as its second source.
    /// </summary>
    public static readonly string[] Columns =
        ["user_id", "movie_id", "gender", "age", "occupation", "zip", "title", "genres", "user_mean_rating", "item_mean_rating", "timestamp",
         "history"];

    /// <summary>The only second source MovieLens features may name: the timestamps of <c>history</c>.</summary>
    public const string HistoryTimes = "history_ts";

    /// <summary>YAML of the default schema.</summary>
    public const string Yaml = """
        dataset:
          name: movielens-1m
          format: movielens
          label: label
          user_key: user_id
          features:
            - {name: user_id, kind: sparse, side: user, lifetime: static, embedding_dim: 32, field_part: user, field_group: id}
            - {name: gender, kind: sparse, side: user, lifetime: static, embedding_dim: 32, field_part: user, field_group: profile}
            - {name: age, kind: sparse, side: user, lifetime: static, embedding_dim: 32, field_part: user, field_group: profile}
            - {name: occupation, kind: sparse, side: user, lifetime: static, embedding_dim: 32, field_part: user, field_group: profile}
            - {name: user_mean_rating, kind: dense, side: user, lifetime: dynamic, transform: min_max, field_part: user, field_group: stats}
            - {name: movie_id, kind: sparse, side: item, lifetime: static, embedding_dim: 32, field_part: item, field_group: id}
            - {name: item_mean_rating, kind: dense, side: item, lifetime: dynamic, transform: min_max, field_part: item, field_group: stats}
            - {name: genres, kind: multi_hot, side: item, lifetime: static, embedding_dim: 32, pooling: mean, max_length: 6, field_part: item, field_group: content}
        """;

    /// <summary>The default schema, parsed.</summary>
    public static DatasetSchema Default() => SchemaLoader.Load(Yaml, "<built-in movielens-1m>");
}
