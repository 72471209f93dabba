using System.Threading.Channels;

namespace Cascade.Serving.NearLine;

/// <summary>
/// Where the near-line updater reads ad events from. The default is an in-process channel
/// (<see cref="ChannelAdEventSource"/>); a message-broker consumer can implement the same two methods.
/// </summary>
public interface IAdEventSource
{
    /// <summary>Hands an event (already durable) to the updater; waits when the source is full.</summary>
    ValueTask PublishAsync(AdEvent e, CancellationToken cancellation = default);

    /// <summary>Events in publication order until the source completes or <paramref name="cancellation"/> fires.</summary>
    IAsyncEnumerable<AdEvent> ReadAllAsync(CancellationToken cancellation = default);

    /// <summary>No more events will be published; readers finish after draining.</summary>
    void Complete();

    /// <summary>Events published but not yet read.</summary>
    int Pending { get; }
}

/// <summary>Bounded in-process channel: one reader (the updater), many writers, FIFO.</summary>
public sealed class ChannelAdEventSource(int capacity) : IAdEventSource
{
    private readonly Channel<AdEvent> _channel = Channel.CreateBounded<AdEvent>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });

    /// <inheritdoc />
    public ValueTask PublishAsync(AdEvent e, CancellationToken cancellation = default) => _channel.Writer.WriteAsync(e, cancellation);

    /// <inheritdoc />
    public IAsyncEnumerable<AdEvent> ReadAllAsync(CancellationToken cancellation = default) => _channel.Reader.ReadAllAsync(cancellation);

    /// <inheritdoc />
    public void Complete() => _channel.Writer.TryComplete();

    /// <inheritdoc />
    public int Pending => _channel.Reader.Count;
}
