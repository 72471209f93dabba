namespace Cascade.Features.Readers;

/// <summary>The exact file formats the readers accept (column names, types, separators).</summary>
public static class Formats
{
    private static ColumnType[] Repeat(ColumnType t, int n) => Enumerable.Repeat(t, n).ToArray();

    /// <summary>MovieLens ratings: <c>UserID::MovieID::Rating[::Timestamp]</c> (3 or 4 fields).</summary>
    public static readonly DelimitedFormat MovieLensRatings = new("MovieLens ratings", "::",
        ["UserID", "MovieID", "Rating", "Timestamp"], Repeat(ColumnType.Int, 4), Header: false, AllowFewer: 3);

    /// <summary>MovieLens users: <c>UserID::Gender::Age::Occupation::Zip-code</c>.</summary>
    public static readonly DelimitedFormat MovieLensUsers = new("MovieLens users", "::",
        ["UserID", "Gender", "Age", "Occupation", "Zip-code"],
        [ColumnType.Int, ColumnType.NonEmpty, ColumnType.Int, ColumnType.Int, ColumnType.Text], Header: false);

    /// <summary>MovieLens movies: <c>MovieID::Title::Genres</c> (genres '|'-separated), ISO-8859-1.</summary>
    public static readonly DelimitedFormat MovieLensMovies = new("MovieLens movies", "::",
        ["MovieID", "Title", "Genres"], [ColumnType.Int, ColumnType.Text, ColumnType.Text], Header: false, Latin1: true);

    /// <summary>Amazon ratings CSV <c>user,item,rating,timestamp</c> without a header (McAuley's original files).</summary>
    public static readonly DelimitedFormat AmazonRatings = new("Amazon ratings", ",",
        ["user", "item", "rating", "timestamp"], [ColumnType.NonEmpty, ColumnType.NonEmpty, ColumnType.Float, ColumnType.Int], Header: false);

    /// <summary>Amazon ratings CSV with the header <c>UserId,ItemId,rating,timestamp</c>.</summary>
    public static readonly DelimitedFormat AmazonRatingsWithHeader = AmazonRatings with { Columns = ["UserId", "ItemId", "rating", "timestamp"], Header = true };

    /// <summary>Criteo (Kaggle display-ad): label, I1..I13 integer counts (may be empty), C1..C26 hex hashes (may be empty), tab-separated, no header.</summary>
    public static readonly DelimitedFormat Criteo = new("Criteo", "\t",
        ["label", .. Enumerable.Range(1, 13).Select(i => $"I{i}"), .. Enumerable.Range(1, 26).Select(i => $"C{i}")],
        [ColumnType.Binary, .. Repeat(ColumnType.OptionalInt, 13), .. Repeat(ColumnType.OptionalHex, 26)], Header: false);

    /// <summary>Avazu CTR CSV with its 24-column header (hour is YYMMDDHH).</summary>
    public static readonly DelimitedFormat Avazu = new("Avazu", ",",
        ["id", "click", "hour", "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id", "app_domain",
         "app_category", "device_id", "device_ip", "device_model", "device_type", "device_conn_type",
         "C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21"],
        [ColumnType.NonEmpty, ColumnType.Binary, ColumnType.Int, .. Repeat(ColumnType.Text, 21)], Header: true);

    /// <summary>Taobao Ali_Display_Ad_Click raw_sample.csv.</summary>
    public static readonly DelimitedFormat TaobaoRawSample = new("Taobao raw_sample", ",",
        ["user", "time_stamp", "adgroup_id", "pid", "nonclk", "clk"],
        [ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.NonEmpty, ColumnType.Binary, ColumnType.Binary], Header: true);

    /// <summary>Taobao ad_feature.csv (brand may be "NULL").</summary>
    public static readonly DelimitedFormat TaobaoAdFeature = new("Taobao ad_feature", ",",
        ["adgroup_id", "cate_id", "campaign_id", "customer", "brand", "price"],
        [ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.NonEmpty, ColumnType.Float], Header: true);

    /// <summary>Taobao user_profile.csv (pvalue_level and new_user_class_level may be empty).</summary>
    public static readonly DelimitedFormat TaobaoUserProfile = new("Taobao user_profile", ",",
        ["userid", "cms_segid", "cms_group_id", "final_gender_code", "age_level", "pvalue_level", "shopping_level",
         "occupation", "new_user_class_level"],
        [ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.Int, ColumnType.OptionalInt, ColumnType.Int,
         ColumnType.Int, ColumnType.OptionalInt], Header: true);

    /// <summary>Taobao behavior_log.csv (btag ∈ pv, cart, fav, buy).</summary>
    public static readonly DelimitedFormat TaobaoBehaviorLog = new("Taobao behavior_log", ",",
        ["user", "time_stamp", "btag", "cate", "brand"],
        [ColumnType.Int, ColumnType.Int, ColumnType.NonEmpty, ColumnType.Int, ColumnType.Int], Header: true);
}
