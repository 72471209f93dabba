using System.Globalization;
using System.Text;

namespace Cascade.Features.Readers;

public static partial class MovieLensProtocol
{
    /// <summary>
    /// Each user's positive ratings (rating &gt; 3) ordered by time, for the <c>history</c> / <c>history_ts</c> columns:
    /// a sample's history is the user's positives strictly before its timestamp (same-second ratings excluded, since
    /// MovieLens users often rate many movies within one second), newest last, the last <c>max_length</c> kept.
    /// Needs timestamped ratings.
    /// </summary>
    private sealed class UserHistory
    {
        private readonly int[] _start;   // (users + 1) offsets into _times/_movies
        private readonly long[] _times;
        private readonly int[] _movies;

        public UserHistory(MovieLensRatings ratings, int users)
        {
            var rows = Enumerable.Range(0, ratings.Count).Where(r => ratings.Ratings[r] > 3)
                .OrderBy(r => ratings.Users[r]).ThenBy(r => ratings.Timestamps[r]).ThenBy(r => r).ToArray();
            _start = new int[users + 1];
            foreach (int r in rows) _start[ratings.Users[r] + 1]++;
            for (int u = 0; u < users; u++) _start[u + 1] += _start[u];
            _times = rows.Select(r => ratings.Timestamps[r]).ToArray();
            _movies = rows.Select(r => ratings.Movies[r]).ToArray();
        }

        /// <summary>Writes the ids and timestamps ('|'-separated) of user u's positives before time t, at most max.</summary>
        public void Before(int u, long t, int max, StringBuilder ids, StringBuilder times)
        {
            ids.Clear(); times.Clear();
            int lo = _start[u], hi = _start[u + 1];
            int a = lo, b = hi;
            while (a < b) { int mid = (a + b) >>> 1; if (_times[mid] < t) a = mid + 1; else b = mid; }
            for (int k = Math.Max(lo, a - max); k < a; k++)
            {
                if (ids.Length > 0) { ids.Append('|'); times.Append('|'); }
                ids.Append(_movies[k].ToString(CultureInfo.InvariantCulture));
                times.Append(_times[k].ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
