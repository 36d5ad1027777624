namespace Rill.Storage.Tests;

public sealed class AllocationTests
{
    [Fact]
    public void Append_and_read_do_not_allocate_in_steady_state()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { IndexIntervalBytes = 256 },
            new LogOpenOptions { Time = new FakeTimeProvider() });
        byte[] plain = TestBatch.Create(3, 1, valueSize: 40);
        byte[] idempotent = TestBatch.Create(1, 1, valueSize: 40, producerId: 1, producerEpoch: 0, baseSequence: 0);
        byte[] buffer = new byte[64 * 1024];
        int seq = 0;

        void Round()
        {
            log.Append(plain);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(idempotent.AsSpan(53), seq++);
            Internal.Batch.UpdateCrc(idempotent);
            log.Append(idempotent);
            LogReadResult r = log.Read(log.LogEndOffset / 2, 16 * 1024, true);
            r.CopyTo(buffer);
        }

        for (int i = 0; i < 200; i++) Round(); // warm up (index arrays grow, JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The only allocation left is the in-memory index arrays doubling (amortised: about 8-16 bytes per index
        // entry, i.e. per index.interval.bytes of log); nothing is allocated per call.
        Assert.True(allocated <= 200 * 24, $"{allocated} bytes allocated for 200 append+read rounds");
    }
}
