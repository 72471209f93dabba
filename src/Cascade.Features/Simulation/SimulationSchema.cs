using System.Globalization;
using System.Text;

namespace Cascade.Features.Simulation;

/// <summary>One output column: its name, value type, meaning, and (for model inputs) its feature declaration.</summary>
/// <param name="Name">Header name.</param>
/// <param name="Type">int, float, string, or list&lt;int&gt; / list&lt;float&gt; ('|'-separated).</param>
/// <param name="Description">What the value means.</param>
/// <param name="Feature">Feature declaration in the schema's flow-YAML form (kind, side, lifetime, ...), or null
/// when the column is a key, a label, cascade metadata or ground truth.</param>
public sealed record SimColumn(string Name, string Type, string Description, string? Feature = null);

/// <summary>
/// The columns of every file the simulator writes and the <c>schema.yaml</c> that describes them: a FuxiCTR-style
/// <c>dataset:</c> section over samples.csv (what the feature readers load) plus a <c>files:</c> section listing every
/// column of every file. docs/design/simulator.md explains each column.
/// </summary>
public static class SimulationSchema
{
    /// <summary>Columns of samples.csv (content is present only with ContentInSamples).</summary>
    public static IReadOnlyList<SimColumn> SampleColumns(SimulatorOptions o)
    {
        var cols = new List<SimColumn>
        {
            new("request_id", "int", "request number, increasing in processing order"),
            new("ts", "int", "request time, Unix seconds"),
            new("day", "int", "simulated day (0-based), for temporal splits"),
            new("user_id", "int", "user id (join key of users.csv)", "kind: sparse, side: user, lifetime: static"),
            new("age", "int", "age bucket 0..6", "kind: sparse, side: user, lifetime: static"),
            new("gender", "int", "gender 0..1", "kind: sparse, side: user, lifetime: static"),
            new("occupation", "int", "occupation 0..15", "kind: sparse, side: user, lifetime: static"),
            new("city_tier", "int", "city tier 0..4", "kind: sparse, side: user, lifetime: static"),
            new("hour", "int", "hour of day 0..23 (UTC) of the request", "kind: sparse, side: context, lifetime: dynamic"),
            new("device", "int", "device 0..3 of the request", "kind: sparse, side: context, lifetime: dynamic"),
            new("hist_ads", "list<int>", "behaviour sequence before the request: ad ids, newest last",
                $"kind: sequence, side: user, lifetime: dynamic, embedding_table: ad_id, second_source: hist_ts, max_length: {o.HistoryLength}"),
            new("hist_cats", "list<int>", "categories of hist_ads, newest last",
                $"kind: sequence, side: user, lifetime: dynamic, embedding_table: category, second_source: hist_ts, max_length: {o.HistoryLength}"),
            new("hist_ts", "list<int>", "Unix time of each behaviour (< ts, non-decreasing), aligned with hist_ads; TIM's interval is ts − hist_ts"),
            new("ad_id", "int", "ad id (join key of ads.csv)", "kind: sparse, side: item, lifetime: static"),
            new("advertiser_id", "int", "advertiser of the ad", "kind: sparse, side: item, lifetime: static"),
            new("category", "int", "ad category", "kind: sparse, side: item, lifetime: static"),
            new("tags", "list<int>", "ad tags (multi-hot)", "kind: multi_hot, side: item, lifetime: static, pooling: mean, max_length: 8"),
            new("bid_type", "string", "ocpc | max_return | multi_constrained (BAR Table 1)", "kind: sparse, side: item, lifetime: static, monotone: none"),
            new("default_bid", "float", "historical mean CPC bid of the ad", "kind: dense, side: item, lifetime: dynamic, transform: log1p, monotone: none"),
            new("bid_constraint", "float", "target CPA (ocpc, multi_constrained) or CPC cap (max_return) at request time",
                "kind: dense, side: item, lifetime: dynamic, transform: log1p, monotone: increasing"),
            new("budget_left_ratio", "float", "1 − spend/daily budget at request time, in [0, 1]",
                "kind: dense, side: item, lifetime: dynamic, monotone: increasing"),
            new("time_left_ratio", "float", "remaining share of the day at request time, in [0, 1]",
                "kind: dense, side: context, lifetime: dynamic, monotone: none"),
            new("exposure_count", "int", "earlier impressions of this ad to this user in the session", "kind: dense, side: context, lifetime: dynamic, transform: log1p"),
            new("source", "string", "exposure (shown) | ranking (ranked, not shown) | retrieval (retrieved only) (HAP)"),
            new("rank", "int", "1-based rank by eCPM within the ranked set; 0 for retrieval rows"),
            new("position", "int", "1-based slot for exposures; 0 otherwise"),
            new("retrieval_score", "float", "retrieval score = true CTR logit + N(0, RetrievalNoise)"),
            new("pctr", "float", "ranker's pCTR = true CTR · exp(N(0, RankerNoise)); 0 for retrieval rows"),
            new("pcvr", "float", "ranker's pCVR = true CVR · exp(N(0, RankerNoise)); 0 for retrieval rows"),
            new("bid", "float", "bid per click used in the auction; 0 for retrieval rows"),
            new("ecpm", "float", "eCPM = pctr · bid · 1000; 0 for retrieval rows"),
            new("click", "int", "1 if clicked (exposures only)"),
            new("conversion", "int", "1 if the click converted (at ts + conv_delay_s, possibly after the simulated period)"),
            new("conv_delay_s", "int", "seconds from click to conversion, > 0 when conversion = 1, else 0"),
            new("true_ctr", "float", "ground-truth CTR at position 1 (click probability = true_ctr · position bias)"),
            new("true_cvr", "float", "ground-truth CVR given a click"),
        };
        if (o.ContentInSamples)
            cols.Add(new("content", "list<float>", "creative content vector of the ad",
                $"kind: lsh_hash_id, side: item, lifetime: static, vector_dim: {o.ContentDim}"));
        return cols;
    }

    /// <summary>Columns of users.csv.</summary>
    public static readonly IReadOnlyList<SimColumn> UserColumns =
    [
        new("user_id", "int", "user id"),
        new("age", "int", "age bucket 0..6"),
        new("gender", "int", "gender 0..1"),
        new("occupation", "int", "occupation 0..15"),
        new("city_tier", "int", "city tier 0..4"),
        new("main_device", "int", "device used for ~80 % of requests"),
        new("activity", "float", "probability of a session on a given day"),
        new("interest_cats", "list<int>", "ground truth: facet categories"),
        new("interest_weights", "list<float>", "ground truth: facet weights (sum 1)"),
        new("interest_tags", "list<int>", "ground truth: preferred tags, 2 per facet in facet order"),
    ];

    /// <summary>Columns of ads.csv (values at the start of day 0).</summary>
    public static readonly IReadOnlyList<SimColumn> AdColumns =
    [
        new("ad_id", "int", "ad id"),
        new("advertiser_id", "int", "advertiser"),
        new("category", "int", "category"),
        new("tags", "list<int>", "tags"),
        new("bid_type", "string", "ocpc | max_return | multi_constrained"),
        new("bid_constraint", "float", "initial target CPA or CPC cap"),
        new("daily_budget", "float", "initial daily budget"),
        new("default_bid", "float", "historical mean CPC bid"),
        new("quality", "float", "ground truth: ad term of the CTR logit"),
        new("cvr_bias", "float", "ground truth: advertiser term of the CVR logit"),
        new("conv_delay_mean_s", "float", "ground truth: mean conversion delay of the advertiser, seconds"),
        new("content", "list<float>", "creative content vector (category centroid + noise + quality direction)"),
    ];

    /// <summary>Columns of behaviours.csv (organic clicks; sorted by user, then time).</summary>
    public static readonly IReadOnlyList<SimColumn> BehaviourColumns =
    [
        new("user_id", "int", "user id"),
        new("ts", "int", "behaviour time, Unix seconds"),
        new("ad_id", "int", "ad interacted with"),
        new("category", "int", "its category"),
        new("advertiser_id", "int", "its advertiser"),
    ];

    /// <summary>Columns of events.csv (time order).</summary>
    public static readonly IReadOnlyList<SimColumn> EventColumns =
    [
        new("ts", "int", "event time, Unix seconds"),
        new("ad_id", "int", "ad"),
        new("event", "string", "bid_constraint | budget | pause | resume | budget_exhausted | budget_reset"),
        new("old_value", "float", "value before (see docs/design/simulator.md per event)"),
        new("new_value", "float", "value after"),
    ];

    /// <summary>Header names of a column list.</summary>
    public static string[] Names(IReadOnlyList<SimColumn> cols) => cols.Select(c => c.Name).ToArray();

    /// <summary>
    /// The schema.yaml text: the <c>dataset:</c> section (samples.csv, label click, one feature per model-input column)
    /// and a <c>files:</c> section with every file's columns.
    /// </summary>
    public static string Yaml(SimulatorOptions o, bool gzip)
    {
        string ext = gzip ? ".csv.gz" : ".csv";
        var sb = new StringBuilder();
        sb.Append("# Written by `cascade simulate`; columns are documented in docs/design/simulator.md.\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"# seed={o.Seed} users={o.Users} ads={o.Ads} days={o.Days} categories={o.Categories}\n");
        sb.Append("dataset:\n  name: cascade-sim\n  format: csv\n");
        sb.Append(CultureInfo.InvariantCulture, $"  path: samples{ext}\n");
        sb.Append("  label: click\n  user_key: user_id\n  timestamp: ts\n  source_tag: source\n  header: true\n  features:\n");
        foreach (var c in SampleColumns(o))
            if (c.Feature is { } f) sb.Append("    - {name: ").Append(c.Name).Append(", ").Append(f).Append("}\n");
        sb.Append("files:\n");
        AppendFile(sb, "samples" + ext, SampleColumns(o));
        AppendFile(sb, "users" + ext, UserColumns);
        AppendFile(sb, "ads" + ext, AdColumns);
        AppendFile(sb, "behaviours" + ext, BehaviourColumns);
        AppendFile(sb, "events" + ext, EventColumns);
        return sb.ToString();
    }

    private static void AppendFile(StringBuilder sb, string file, IReadOnlyList<SimColumn> cols)
    {
        sb.Append("  ").Append(file).Append(":\n");
        foreach (var c in cols)
            sb.Append("    - {name: ").Append(c.Name).Append(", type: \"").Append(c.Type)
              .Append("\", description: \"").Append(c.Description.Replace("\"", "'")).Append("\"}\n");
    }
}
