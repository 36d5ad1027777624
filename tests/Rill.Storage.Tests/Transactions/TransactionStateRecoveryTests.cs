using Rill.Protocol;
using Rill.Storage.Segments;
using static Rill.Storage.Tests.Transactions.TransactionalAppendTests;

namespace Rill.Storage.Tests.Transactions;

/// <summary>
/// Transaction state across segment roll, clean restart (producer snapshots carry open transactions), crash (the
/// .txnindex and open transactions rebuilt from the log), torn writes, retention and DeleteRecords.
/// </summary>
public sealed class TransactionStateRecoveryTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 400, IndexIntervalBytes = 100 };

    private static string TxnIndexPath(string dir, long baseOffset) => LogFileNames.TxnIndexFile(dir, baseOffset);

    /// <summary>P1 starts a transaction, the log rolls over it, P2 commits, P1 aborts in a later segment; P2 left open.</summary>
    private static void Populate(PartitionLog log)
    {
        Data(log, P1, 0);                       // 0-1
        for (int i = 0; i < 6; i++) log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 40));
        Data(log, P2, 0);                       // 8-9
        Marker(log, P2, commit: true);          // 10
        for (int i = 0; i < 4; i++) log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 40));
        Marker(log, P1, commit: false);         // 15
        Data(log, P2, 2);                       // 16-17, open
    }

    private static void AssertPopulatedState(PartitionLog log)
    {
        Assert.Equal(18, log.LogEndOffset);
        Assert.Equal(16, log.LastStableOffset);
        Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(0, 16));
        Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(12, 16));
        Assert.Null(log.CollectAbortedTransactions(16, 18));
        Assert.Equal(1, log.OngoingTransactionCount);
    }

    [Fact]
    public void The_abort_goes_in_the_txnindex_of_the_segment_holding_its_marker_and_is_found_from_earlier_segments()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using PartitionLog log = Open(path, SmallSegments);
        Populate(log);
        Assert.True(log.SegmentCount >= 3);
        AssertPopulatedState(log);
        long markerSegment = log.GetSegments().Last(s => s.BaseOffset <= 15).BaseOffset;
        Assert.True(markerSegment > 0);
        log.Roll();
        Assert.Equal(TransactionIndex.EntrySize, new FileInfo(TxnIndexPath(path, markerSegment)).Length);
        Assert.False(File.Exists(TxnIndexPath(path, 0)));
    }

    [Fact]
    public void A_clean_restart_keeps_open_transactions_and_the_txnindex()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path, SmallSegments)) Populate(log);
        using (PartitionLog log = Open(path, SmallSegments))
        {
            Assert.True(log.OpenedAfterCleanShutdown);
            AssertPopulatedState(log);
            Assert.Equal(ErrorCode.None, Marker(log, P2, commit: false).Error);
            Assert.Equal(19, log.LastStableOffset);
            Assert.Equal([new AbortedTransaction(P1, 0), new AbortedTransaction(P2, 16)], log.CollectAbortedTransactions(0, 19));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_crash_rebuilds_open_transactions_and_the_txnindex_from_the_log(bool loseSnapshotsAndIndexes)
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        PartitionLog crashed = Open(path, SmallSegments);
        Populate(crashed);
        crashed.CloseWithoutCleanShutdown();
        if (loseSnapshotsAndIndexes)
        {
            foreach (string f in Directory.GetFiles(path, "*.snapshot").Concat(Directory.GetFiles(path, "*.txnindex"))) File.Delete(f);
        }
        using PartitionLog log = Open(path, SmallSegments);
        Assert.False(log.OpenedAfterCleanShutdown);
        AssertPopulatedState(log);
    }

    [Fact]
    public void A_torn_abort_marker_leaves_the_transaction_open_after_recovery()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        PartitionLog crashed = Open(path);
        Data(crashed, P1, 0);
        long sizeBefore = crashed.SizeInBytes;
        Marker(crashed, P1, commit: false);
        crashed.CloseWithoutCleanShutdown();
        string logFile = LogFileNames.LogFile(path, 0);
        using (var f = new FileStream(logFile, FileMode.Open)) f.SetLength(sizeBefore + 20); // killed mid-write

        using PartitionLog log = Open(path);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(0, log.LastStableOffset);
        Assert.Null(log.CollectAbortedTransactions(0, 2));
        Assert.Equal(ErrorCode.None, Marker(log, P1, commit: false).Error);
        Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(0, 3));
    }

    [Fact]
    public void Truncation_removes_markers_and_their_txnindex_entries_and_reopens_the_transaction()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), SmallSegments);
        Populate(log);
        log.TruncateTo(15);
        Assert.Equal(0, log.LastStableOffset);
        Assert.Null(log.CollectAbortedTransactions(0, 15));
        Assert.Equal(1, log.OngoingTransactionCount);
    }

    [Fact]
    public void DeleteRecords_past_an_open_transactions_data_does_not_leave_the_lso_stuck()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), SmallSegments);
        Data(log, P1, 0); // 0-1, never ended (a producer that died; its coordinator never wrote a marker)
        for (int i = 0; i < 8; i++) log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 40));
        Assert.Equal(0, log.LastStableOffset);

        Assert.True(log.AdvanceLogStartOffset(1)); // P1's data at offset 1 is still there
        Assert.Equal(1, log.LastStableOffset);
        Assert.True(log.AdvanceLogStartOffset(4));
        Assert.Equal(log.HighWatermark, log.LastStableOffset);
        Assert.Equal(0, log.OngoingTransactionCount);
    }

    [Fact]
    public void Retention_that_removes_an_open_transactions_data_releases_the_lso()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var config = SmallSegments with { RetentionMs = 60_000 };
        using PartitionLog log = Open(dir.Sub("t-0"), config, time);
        log.AppendCopy(TestBatch.Transactional(2, time.NowMs, P1, 0, 0));
        for (int i = 0; i < 8; i++) log.AppendCopy(TestBatch.Create(1, time.NowMs, valueSize: 40));
        time.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 8; i++) log.AppendCopy(TestBatch.Create(1, time.NowMs, valueSize: 40));
        Assert.Equal(0, log.LastStableOffset);
        Assert.True(log.ApplyRetention() > 0);
        Assert.True(log.LogStartOffset > 1);
        Assert.Equal(log.HighWatermark, log.LastStableOffset);
    }

    [Fact]
    public void A_version_1_producer_snapshot_from_before_transactions_still_loads()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path))
        {
            log.AppendCopy(TestBatch.Create(3, 1000, producerId: 42, producerEpoch: 1, baseSequence: 0)); // 0-2
        }
        // The snapshot as Rill wrote it before transactions: version 1, no coordinator epoch or open transaction.
        byte[] v1 = new byte[10 + 22 + 32];
        var s = v1.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(s, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[6..], 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[10..], 42);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(s[18..], 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[20..], 1000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[28..], 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[32..], 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(s[36..], 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[40..], 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[48..], 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(s[56..], 1000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(s[2..], Rill.Protocol.Records.Crc32C.Compute(s[6..]));
        File.WriteAllBytes(LogFileNames.SnapshotFile(path, 3), v1);

        using (PartitionLog log = Open(path))
        {
            Assert.True(log.OpenedAfterCleanShutdown);
            Assert.True(log.AppendCopy(TestBatch.Create(3, 1000, producerId: 42, producerEpoch: 1, baseSequence: 0)).IsDuplicate);
            Assert.Equal(ErrorCode.OutOfOrderSequenceNumber,
                log.AppendCopy(TestBatch.Create(1, 1000, producerId: 42, producerEpoch: 1, baseSequence: 5)).Error);
            Assert.Equal(ErrorCode.None, log.AppendCopy(TestBatch.Create(1, 1000, producerId: 42, producerEpoch: 1, baseSequence: 3)).Error);
            Assert.Equal(log.HighWatermark, log.LastStableOffset);
        }
    }
}
