using System.Text.Json;
using System.Threading.Channels;

namespace Cascade.Serving.NearLine;

/// <summary>
/// Durable, append-only log of ad events (one JSON object per line). <see cref="TryAppend"/> returns a task that completes only after
/// the line is on disk (fsync); concurrent appends are group-committed: the writer loop takes every queued event,
/// writes them, fsyncs once and then publishes them to the event source in log order, so the updater applies events
/// in exactly the order a restarted server replays them. At 1,000 events/s with a ~2 ms fsync this is ~2 fsyncs per
/// 4 ms batch instead of 1,000 fsyncs per second.
/// </summary>
public sealed class EventLog : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly Channel<(AdEvent Event, TaskCompletionSource Done)> _queue;
    private readonly IAdEventSource _source;
    private readonly Task _writer;
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private long _appended;

    /// <summary>
    /// Opens (creating) <paramref name="path"/> for appending; events are forwarded to <paramref name="source"/> after
    /// they are durable. At most <paramref name="capacity"/> events wait; <see cref="TryAppend"/> refuses beyond.
    /// </summary>
    public EventLog(string path, IAdEventSource source, int capacity)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        TruncateTornTail(path);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        _source = source;
        _queue = Channel.CreateBounded<(AdEvent, TaskCompletionSource)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Log file path.</summary>
    public string Path { get; }

    /// <summary>Events made durable since this log was opened.</summary>
    public long Appended => Interlocked.Read(ref _appended);

    /// <summary>Events waiting for the disk.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>
    /// Queues the event and returns a task that completes once it is fsynced and handed to the source; returns null
    /// when the queue is full (the caller answers 503 instead of queueing without bound).
    /// </summary>
    public Task? TryAppend(AdEvent e)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((e, done)) ? done.Task : null;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(AdEvent Event, TaskCompletionSource Done)>(1024);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 4096 && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                foreach (var (e, _) in batch)
                {
                    _buffer.ResetWrittenCount();
                    using (var w = new Utf8JsonWriter(_buffer)) e.WriteJson(w);
                    _file.Write(_buffer.WrittenSpan);
                    _file.WriteByte((byte)'\n');
                }
                _file.Flush(flushToDisk: true);
                Interlocked.Add(ref _appended, batch.Count);
                foreach (var (e, _) in batch) await _source.PublishAsync(e).ConfigureAwait(false);
                foreach (var (_, done) in batch) done.TrySetResult();
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch) done.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// Reads every complete event of a log (missing file = none). A last line without its newline is a write torn by
    /// a crash and is skipped (it was never acknowledged); a malformed complete line is an error naming the line.
    /// </summary>
    public static List<AdEvent> ReadAll(string path)
    {
        var list = new List<AdEvent>();
        if (!File.Exists(path)) return list;
        var bytes = File.ReadAllBytes(path);
        int start = 0, line = 0;
        while (start < bytes.Length)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', start);
            if (nl < 0) break;
            line++;
            if (nl > start)
            {
                try
                {
                    using var doc = JsonDocument.Parse(bytes.AsMemory(start, nl - start));
                    list.Add(AdEvent.Parse(doc.RootElement));
                }
                catch (Exception e) when (e is JsonException or FormatException)
                { throw new InvalidDataException($"{path}:{line}: corrupt event ({e.Message}).", e); }
            }
            start = nl + 1;
        }
        return list;
    }

    private static void TruncateTornTail(string path)
    {
        if (!File.Exists(path)) return;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        long len = fs.Length, end = len;
        var one = new byte[1];
        while (end > 0)
        {
            fs.Position = end - 1;
            fs.ReadExactly(one);
            if (one[0] == (byte)'\n') break;
            end--;
        }
        if (end != len) { fs.SetLength(end); fs.Flush(flushToDisk: true); }
    }

    /// <summary>Stops accepting events, writes what is queued and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
