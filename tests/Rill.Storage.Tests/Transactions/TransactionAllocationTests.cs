using System.Buffers.Binary;
using Rill.Storage.Producers;

namespace Rill.Storage.Tests.Transactions;

/// <summary>Transactional appends and read_committed reads stay off the per-record allocation path.</summary>
public sealed class TransactionAllocationTests
{
    [Fact]
    public void Transactional_appends_and_read_committed_reads_allocate_no_more_than_plain_ones_beyond_one_node_per_transaction()
    {
        long plain = Measure(transactional: false);
        long transactional = Measure(transactional: true);
        // Both grow the same in-memory index arrays (amortised); a transaction adds only the node of its entry in the
        // set of open transactions, nothing per batch or record.
        Assert.True(transactional - plain <= Transactions * 96,
            $"transactional {transactional} bytes vs plain {plain} bytes for {Transactions} transactions of 10 batches");
    }

    private const int Transactions = 50;

    private static long Measure(bool transactional)
    {
        using var dir = new TempDirectory();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { IndexIntervalBytes = 256 },
            new LogOpenOptions { Time = new FakeTimeProvider() });
        byte[] data = transactional
            ? TestBatch.Transactional(5, 1, producerId: 9, producerEpoch: 0, baseSequence: 0, valueSize: 40)
            : TestBatch.Create(5, 1, valueSize: 40, producerId: 9, producerEpoch: 0, baseSequence: 0);
        byte[] end = transactional ? ControlRecord.BuildMarker(9, 0, commit: true, 0, 1) : TestBatch.Create(1, 1, valueSize: 20);
        byte[] buffer = new byte[64 * 1024];
        int seq = 0;

        // Ten data batches per transaction, then its commit marker (a plain batch of similar size without
        // transactions); a read (read_committed: below the LSO) after each batch.
        void Transaction()
        {
            for (int b = 0; b < 10; b++)
            {
                BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(53), seq);
                seq += 5;
                Internal.Batch.UpdateCrc(data);
                log.Append(data);
                LogReadResult r = log.Read(log.LastStableOffset / 2, 16 * 1024, true, log.LastStableOffset);
                r.CopyTo(buffer);
            }
            log.Append(end);
        }

        for (int i = 0; i < Transactions; i++) Transaction(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Transactions; i++) Transaction();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
