using Cascade.Features.Readers;
using Cascade.Features.Schema;

namespace Cascade.Features.Tests;

public class ReaderTests
{
    private static string Dir() => TestData.TempDir();

    [Fact]
    public void MovieLensRatingsInBothFormsPlainAndGzip()
    {
        string d = Dir();
        var three = MovieLensReader.ReadRatings(TestData.Write(d, "r3.dat", "1::10::5\n2::20::3\n"));
        Assert.False(three.HasTimestamps);
        Assert.Equal([1, 2], three.Users);
        Assert.Equal([(byte)5, (byte)3], three.Ratings);
        var four = MovieLensReader.ReadRatings(TestData.WriteGz(d, "r4.dat.gz", "1::10::5::978300760\n2::20::1::978300761\n"));
        Assert.True(four.HasTimestamps);
        Assert.Equal([978300760L, 978300761L], four.Timestamps);
    }

    [Fact]
    public void MovieLensUsersAndLatin1Movies()
    {
        string d = Dir();
        var users = MovieLensReader.ReadUsers(TestData.Write(d, "users.dat", "1::F::1::10::48067\n3::M::25::15::55117\n"));
        Assert.Null(users[2]);
        Assert.Equal(new MovieLensUser("M", 25, 15, "55117"), users[3]);
        string p = Path.Combine(d, "movies.dat");
        File.WriteAllBytes(p, System.Text.Encoding.Latin1.GetBytes("73::Misérables, Les (1995)::Drama|Musical\n"));
        var movies = MovieLensReader.ReadMovies(p);
        Assert.Equal("Misérables, Les (1995)", movies[73]!.Title);
        Assert.Equal("Drama|Musical", movies[73]!.Genres);
    }

    [Fact]
    public void MalformedLineNamesFileLineColumnAndFormat()
    {
        string p = TestData.Write(Dir(), "bad.dat", "1::10::5\n2::x::4\n3::30::4\n");
        var e = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(p));
        Assert.Equal(p, e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Equal("MovieID", e.ColumnName);
        Assert.Contains("an integer", e.Message);
        Assert.Contains("'x'", e.Message);
        Assert.Contains("--skip-bad-lines", e.Message);
        var tooFew = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(TestData.Write(Dir(), "few.dat", "1::10\n")));
        Assert.Contains("3–4 '::'-separated fields", tooFew.Message);
        var range = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(TestData.Write(Dir(), "r.dat", "1::10::9\n")));
        Assert.Contains("rating 1..5", range.Message);
        var mixed = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(TestData.Write(Dir(), "m.dat", "1::10::5\n1::11::5::99\n")));
        Assert.Equal(2, mixed.Line);
    }

    [Fact]
    public void SkipBadLinesCountsAndReports()
    {
        string p = TestData.Write(Dir(), "bad.dat", "1::10::5\n2::x::4\n\n3::30::4\n4::40::7\n");
        var r = MovieLensReader.ReadRatings(p, new ReadOptions(SkipBadLines: true), out var report);
        Assert.Equal(2, r.Count);
        Assert.Equal(5, report.Lines);
        Assert.Equal(3, report.BadLines);
        Assert.Equal(3, report.Examples.Count);
        Assert.Contains(":2:", report.Examples[0]);
        Assert.Contains("3 bad lines", report.ToString());
    }

    private static DatasetSchema Schema(string format, string label, string features, string extra = "")
        => SchemaLoader.Load($"dataset:\n  name: t\n  format: {format}\n  label: {label}\n{extra}  features:\n{features}");

    [Fact]
    public void AmazonWithAndWithoutHeader()
    {
        string d = Dir();
        var s = Schema("amazon", "rating", "    - {name: u, kind: sparse, source: user}\n    - {name: i, kind: sparse, source: item}\n", "  label_threshold: 3\n");
        var t = TableReaders.Read(s, TestData.WriteGz(d, "a.csv.gz", "A1,0132793040,5.0,1365811200\nA2,0321732944,2.0,1341100800\n"));
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal("0132793040", t.Rows[0][t.IndexOf("item")]);
        var sh = Schema("amazon", "rating", "    - {name: u, kind: sparse, source: UserId}\n");
        var th = TableReaders.Read(sh, TestData.Write(d, "h.csv", "UserId,ItemId,rating,timestamp\nA1,B1,4.0,1\n"));
        Assert.Single(th.Rows);
        var p = TablePreparer.Prepare(s, t, testFraction: 0.5, validationFraction: 0);
        Assert.Equal(1, p.Train.Count + p.Test.Count - 1);
        var bad = Assert.Throws<DataFormatException>(() => TableReaders.Read(s, TestData.Write(d, "b.csv", "A1,B1,five,1\n")));
        Assert.Equal(3, bad.Column);
    }

    [Fact]
    public void CriteoFortyTabSeparatedFields()
    {
        string line1 = "1\t" + string.Join("\t", Enumerable.Range(0, 13).Select(i => i == 2 ? "" : (i * 3).ToString())) + "\t" +
                       string.Join("\t", Enumerable.Range(0, 26).Select(i => i == 5 ? "" : $"{i:x2}a8f3c1"));
        string line0 = "0\t" + string.Join("\t", Enumerable.Repeat("1", 13)) + "\t" + string.Join("\t", Enumerable.Repeat("68fd1e64", 26));
        string p = TestData.Write(Dir(), "criteo.txt", line1 + "\n" + line0 + "\n");
        string root = RepoRoot();
        var s = SchemaLoader.LoadFile(Path.Combine(root, "configs", "schemas", "criteo.yaml"));
        var t = TableReaders.Read(s, p);
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal("", t.Rows[0][t.IndexOf("I3")]);
        var prepared = TablePreparer.Prepare(s, t, testFraction: 0.5, validationFraction: 0);
        Assert.Equal(13 + 26, prepared.Train.SparseWidth);
        var badLine = "2\t" + string.Join("\t", Enumerable.Repeat("1", 13)) + "\t" + string.Join("\t", Enumerable.Repeat("zz", 26));
        var e = Assert.Throws<DataFormatException>(() => TableReaders.Read(s, TestData.Write(Dir(), "c2.txt", badLine + "\n")));
        Assert.Equal(1, e.Column);
        Assert.Contains("0 or 1", e.Message);
        var hex = "1\t" + string.Join("\t", Enumerable.Repeat("1", 13)) + "\t" + string.Join("\t", Enumerable.Repeat("zz", 26));
        Assert.Equal(15, Assert.Throws<DataFormatException>(() => TableReaders.Read(s, TestData.Write(Dir(), "c3.txt", hex + "\n"))).Column);
    }

    [Fact]
    public void AvazuHeaderIsCheckedAndRowsRead()
    {
        string header = string.Join(",", Formats.Avazu.Columns);
        string row = "1000009418151094273,0,14102100,1005,0,1fbe01fe,f3845767,28905ebd,ecad2386,7801e8d9,07d7df22,a99f214a,ddd2926e,44956a24,1,2,15706,320,50,1722,0,35,-1,79";
        string p = TestData.Write(Dir(), "avazu.csv", header + "\n" + row + "\n" + row.Replace(",0,1410", ",1,1410") + "\n");
        var s = SchemaLoader.LoadFile(Path.Combine(RepoRoot(), "configs", "schemas", "avazu.yaml"));
        var t = TableReaders.Read(s, p);
        Assert.Equal(2, t.Rows.Count);
        var prep = TablePreparer.Prepare(s, t, testFraction: 0.5, validationFraction: 0, temporal: true);
        Assert.Equal(1, prep.Test.Count);
        var e = Assert.Throws<DataFormatException>(() => TableReaders.Read(s, TestData.Write(Dir(), "h.csv", header.Replace("click", "clk") + "\n" + row + "\n")));
        Assert.Equal(1, e.Line);
        Assert.Equal(2, e.Column);
    }

    [Fact]
    public void TaobaoTablesJoinWithHistoryBeforeEachSample()
    {
        string d = Dir();
        TestData.Write(d, "raw_sample.csv", "user,time_stamp,adgroup_id,pid,nonclk,clk\n581738,1494137644,1,430548_1007,1,0\n449818,1494638778,3,430548_1007,0,1\n7,1494638778,999,430539_1007,1,0\n");
        TestData.Write(d, "ad_feature.csv", "adgroup_id,cate_id,campaign_id,customer,brand,price\n1,6406,83237,1,95471,170.0\n3,1489,141,3,NULL,199.0\n");
        TestData.WriteGz(d, "user_profile.csv.gz", "userid,cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,occupation,new_user_class_level \n581738,0,5,2,4,,3,0,\n449818,0,5,2,4,2,3,0,2\n");
        TestData.Write(d, "behavior_log.csv", "user,time_stamp,btag,cate,brand\n581738,1494137000,pv,6406,95471\n581738,1494137700,cart,1,2\n581738,1494100000,pv,6407,95472\n");
        var s = SchemaLoader.LoadFile(Path.Combine(RepoRoot(), "configs", "schemas", "taobao.yaml"));
        var t = TableReaders.Read(s, d);
        Assert.Equal(3, t.Rows.Count);
        Assert.Equal(1, t.Counters["missing_ad"]);
        Assert.Equal(1, t.Counters["missing_user"]);
        Assert.Equal("6407|6406", t.Rows[0][t.IndexOf("hist_cate")]); // newest last, the later 'cart' excluded
        Assert.Equal("1494100000|1494137000", t.Rows[0][t.IndexOf("hist_time")]);
        Assert.Equal("NULL", t.Rows[1][t.IndexOf("brand")]);
        Assert.Null(t.Rows[2][t.IndexOf("cate_id")]);
        var p = TablePreparer.Prepare(s, t, testFraction: 0.34, validationFraction: 0);
        Assert.Equal(3, p.Train.Count + p.Test.Count);
    }

    [Fact]
    public void GenericCsvUsesTheSchemaAndRejectsUnknownColumns()
    {
        string d = Dir();
        string p = TestData.WriteGz(d, "log.csv.gz",
            "user_id,interests,clicked_ads,clicked_ts,ad_id,bid,budget_left,ad_age_days,creative_vec,user_vec,item_vec,hour,click,ts\n" +
            "u1,sport|music,a1|a2,10|20,a1,1.5,0.3,12,0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8,1 0 0 0 0 0 0 0,1 0 0 0 0 0 0 0,10,1,100\n" +
            "u2,music,a1,15,a2,0.5,0.9,400,0.8 0.7 0.6 0.5 0.4 0.3 0.2 0.1,0 1 0 0 0 0 0 0,1 0 0 0 0 0 0 0,11,0,200\n" +
            "u1,,,,a1,2.5,0.1,3,0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.9,1 0 0 0 0 0 0 0,1 1 0 0 0 0 0 0,12,1,300\n");
        var s = SchemaLoader.LoadFile(Path.Combine(RepoRoot(), "configs", "schemas", "ad-features-example.yaml"));
        var t = TableReaders.Read(s, p);
        var prep = TablePreparer.Prepare(s, t, seed: 1, testFraction: 0.3, validationFraction: 0);
        Assert.Equal(2, prep.Train.Count);
        Assert.Equal(1, prep.Test.Count);
        Assert.Equal(2, prep.Train.VarLen.Count);
        var missing = SchemaLoader.Load("dataset:\n  name: x\n  label: click\n  features:\n    - {name: nope, kind: dense}\n");
        var e = Assert.Throws<SchemaException>(() => TableReaders.Read(missing, p));
        Assert.Contains("'nope' does not exist", e.Message);
        Assert.Contains("user_id", e.Message);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Cascade.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (Cascade.slnx) not found above the test binaries.");
    }
}
