using System.Buffers;
using System.Buffers.Binary;
using Rill.Broker.Network;

namespace Rill.Broker.Tests;

/// <summary>Allocation is deterministic, so hot paths get an exact budget here (timings live in bench/).</summary>
public class AllocationTests
{
    [Fact]
    public void Finding_a_frame_allocates_nothing()
    {
        byte[] frame = new byte[4 + 512];
        BinaryPrimitives.WriteInt32BigEndian(frame, 512);
        var sequence = new ReadOnlySequence<byte>(frame);
        FrameDecoder.TryRead(sequence, 1 << 20, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            total += FrameDecoder.TryRead(sequence, 1 << 20, out int size) == FrameStatus.Complete ? size : 0;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(512 * 10_000, total);
    }
}
