using Cascade.Features.Simulation;

namespace Cascade.Features.Tests.Simulation;

/// <summary>Runs alone: GC.GetTotalMemory is process-wide, so parallel tests would pollute the probe.</summary>
[CollectionDefinition("SimulatorMemory", DisableParallelization = true)]
public sealed class SimulatorMemoryCollection;

/// <summary>Streaming 2M users keeps memory bounded: no per-sample or per-user objects survive or are even allocated.</summary>
[Collection("SimulatorMemory")]
public sealed class BoundedMemoryTests
{
    [Fact]
    public void MemoryStaysBoundedForTwoMillionUsers()
    {
        // 2M users stream through with a few sessions each; the only per-user memory is one byte (the session slot:
        // 2 MB), so allocation and live memory must stay far below the ~190 MB of CSV that the run writes.
        var o = new SimulatorOptions
        {
            Users = 2_000_000, Ads = 20_000, Days = 1, Activity = 0.02, MaxRequestsPerSession = 1, RetrievalRows = 0, Seed = 9,
        };
        var sim = new MarketSimulator(o);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var sink = new MemoryProbeStream();
        var s = sim.Run(new SimulationStreams { Samples = sink });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(s.Samples > 200_000, $"only {s.Samples} samples");
        Assert.True(sink.BytesWritten > 50_000_000, $"only {sink.BytesWritten} bytes");
        // Slot array (2 MB) + one 256 KB write buffer + event lists: everything else is reused scratch.
        Assert.True(allocated < 8_000_000, $"allocated {allocated / 1e6:F1} MB while streaming {sink.BytesWritten / 1e6:F0} MB");
        long growth = sink.PeakLive - before;
        Assert.True(growth < 32_000_000, $"live memory grew by {growth / 1e6:F1} MB while streaming {sink.BytesWritten / 1e6:F0} MB");
    }

    /// <summary>A write-only sink that counts bytes and samples live managed memory every 4 MB written.</summary>
    private sealed class MemoryProbeStream : Stream
    {
        private long _nextProbe;
        public long BytesWritten { get; private set; }
        public long PeakLive { get; private set; }
        public override void Write(byte[] buffer, int offset, int count)
        {
            BytesWritten += count;
            if (BytesWritten >= _nextProbe)
            {
                PeakLive = Math.Max(PeakLive, GC.GetTotalMemory(forceFullCollection: false));
                _nextProbe = BytesWritten + (4 << 20);
            }
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => BytesWritten;
        public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
