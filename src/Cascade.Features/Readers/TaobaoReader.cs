using Cascade.Features.Schema;

namespace Cascade.Features.Readers;

/// <summary>
/// Taobao Ali_Display_Ad_Click: joins raw_sample.csv (user, time_stamp, adgroup_id, pid, nonclk, clk) with
/// ad_feature.csv on adgroup_id and user_profile.csv on user = userid, and, when behavior_log.csv is present, adds
/// each sample's behaviour history strictly before its time_stamp (newest last, at most 50):
/// <c>hist_cate</c>, <c>hist_brand</c>, <c>hist_btag</c> and <c>hist_time</c>, '|'-separated. Samples whose ad or
/// user is missing from the side tables keep empty values for those columns (counted in
/// <see cref="RawTable.Counters"/> as <c>missing_ad</c> and <c>missing_user</c>), never dropped.
/// </summary>
public static class TaobaoReader
{
    /// <summary>History length kept per sample.</summary>
    public const int HistoryLength = 50;

    private static readonly string[] HistoryColumns = ["hist_cate", "hist_brand", "hist_btag", "hist_time"];

    /// <summary>Reads and joins the tables in <paramref name="folder"/> (each file may be gzip: name.csv or name.csv.gz).</summary>
    public static RawTable Read(DatasetSchema schema, string folder, ReadOptions options)
    {
        string F(string name) => File.Exists(Path.Combine(folder, name + ".csv")) ? Path.Combine(folder, name + ".csv") : Path.Combine(folder, name + ".csv.gz");
        var ads = new Dictionary<string, string[]>();
        var adReport = DelimitedReader.Read(F("ad_feature"), Formats.TaobaoAdFeature, options, r => ads[r.String(0)] = Fields(r));
        var users = new Dictionary<string, string[]>();
        var userReport = DelimitedReader.Read(F("user_profile"), Formats.TaobaoUserProfile, options, r => users[r.String(0)] = Fields(r));
        var history = new Dictionary<string, List<(long Time, string Cate, string Brand, string Tag)>>();
        string logPath = F("behavior_log");
        ReadReport? logReport = null;
        if (File.Exists(logPath))
        {
            logReport = DelimitedReader.Read(logPath, Formats.TaobaoBehaviorLog, options, r =>
            {
                if (!history.TryGetValue(r.String(0), out var list)) history[r.String(0)] = list = [];
                list.Add((r.Int(1), r.String(3), r.String(4), r.String(2)));
            });
            foreach (var list in history.Values) list.Sort((a, b) => a.Time.CompareTo(b.Time));
        }
        var available = Formats.TaobaoRawSample.Columns.Concat(Formats.TaobaoAdFeature.Columns.Skip(1))
            .Concat(Formats.TaobaoUserProfile.Columns.Skip(1)).Concat(logReport is null ? [] : HistoryColumns).ToArray();
        string[] needed = TableReaders.NeededColumns(schema).Concat(options.KeepColumns).Distinct().ToArray();
        int[] map = TableReaders.MapColumns(schema, needed, available, $"the joined Taobao tables in '{folder}'");
        var table = new RawTable(needed);
        long missingAds = 0, missingUsers = 0;
        int adStart = Formats.TaobaoRawSample.Columns.Length, userStart = adStart + 5, histStart = userStart + 8;
        var joined = new string?[available.Length];
        var sampleReport = DelimitedReader.Read(F("raw_sample"), Formats.TaobaoRawSample, options, r =>
        {
            Array.Clear(joined);
            for (int i = 0; i < adStart; i++) joined[i] = r.String(i);
            if (ads.TryGetValue(r.String(2), out var ad)) for (int i = 1; i < ad.Length; i++) joined[adStart + i - 1] = ad[i];
            else missingAds++;
            if (users.TryGetValue(r.String(0), out var u)) for (int i = 1; i < u.Length; i++) joined[userStart + i - 1] = u[i];
            else missingUsers++;
            if (logReport is not null) History(history, r.String(0), r.Int(1), joined, histStart);
            var row = new string?[needed.Length];
            for (int i = 0; i < map.Length; i++) row[i] = joined[map[i]];
            table.Rows.Add(row);
        });
        table.Counters["missing_ad"] = missingAds; table.Counters["missing_user"] = missingUsers;
        table.Reports.AddRange([sampleReport, adReport, userReport]);
        if (logReport is not null) table.Reports.Add(logReport);
        return table;
    }

    private static string[] Fields(DelimitedRecord r)
    {
        var a = new string[r.FieldCount];
        for (int i = 0; i < a.Length; i++) a[i] = r.String(i);
        return a;
    }

    private static void History(Dictionary<string, List<(long Time, string Cate, string Brand, string Tag)>> history, string user, long time,
        string?[] joined, int at)
    {
        if (!history.TryGetValue(user, out var list)) { for (int i = 0; i < 4; i++) joined[at + i] = ""; return; }
        // Behaviours strictly before the sample's time: binary search for the first element with Time >= time.
        int lo = 0, hi = list.Count;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (list[mid].Time < time) lo = mid + 1; else hi = mid; }
        int start = Math.Max(0, lo - HistoryLength);
        var span = list.GetRange(start, lo - start);
        joined[at] = string.Join('|', span.Select(x => x.Cate));
        joined[at + 1] = string.Join('|', span.Select(x => x.Brand));
        joined[at + 2] = string.Join('|', span.Select(x => x.Tag));
        joined[at + 3] = string.Join('|', span.Select(x => x.Time));
    }
}
