using Rill.Protocol;
using Rill.Storage.Producers;

namespace Rill.Storage.Tests.Transactions;

/// <summary>
/// Transactional batches and markers through <see cref="PartitionLog.Append"/>: the last stable offset, the .txnindex,
/// read_committed reads, and the producer checks Kafka makes on them.
/// </summary>
public sealed class TransactionalAppendTests
{
    internal const long P1 = 1001, P2 = 2002;

    internal static PartitionLog Open(string path, LogConfig? config = null, FakeTimeProvider? time = null)
        => PartitionLog.Open(path, config ?? new LogConfig(), new LogOpenOptions { Time = time ?? new FakeTimeProvider() });

    internal static AppendResult Data(PartitionLog log, long pid, int seq, int records = 2, short epoch = 0)
        => log.AppendCopy(TestBatch.Transactional(records, 1000, pid, epoch, seq));

    internal static AppendResult Marker(PartitionLog log, long pid, bool commit, short epoch = 0, int coordinatorEpoch = 0)
        => log.Append(ControlRecord.BuildMarker(pid, epoch, commit, coordinatorEpoch, 1000));

    [Fact]
    public void Open_transaction_holds_the_last_stable_offset_until_its_commit_marker()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(TestBatch.Create(3, 1000));
        Assert.Equal(3, log.LastStableOffset);

        Assert.Equal(3, Data(log, P1, 0).FirstOffset);
        log.AppendCopy(TestBatch.Create(1, 1000));
        Assert.Equal(3, log.LastStableOffset);
        Assert.Equal(6, log.HighWatermark);

        AppendResult marker = Marker(log, P1, commit: true);
        Assert.Equal(ErrorCode.None, marker.Error);
        Assert.Equal(6, marker.FirstOffset);
        Assert.Equal(7, log.LastStableOffset);
        Assert.Null(log.CollectAbortedTransactions(0, 7));
    }

    [Fact]
    public void Read_below_the_last_stable_offset_stops_before_the_open_transaction()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(TestBatch.Create(2, 1000));
        Data(log, P1, 0);
        log.AppendCopy(TestBatch.Create(2, 1000));

        LogReadResult committed = log.Read(0, int.MaxValue, true, log.LastStableOffset);
        Assert.Equal(ErrorCode.None, committed.Error);
        byte[] bytes = new byte[committed.Length];
        committed.CopyTo(bytes);
        Assert.Equal([0L], TestBatch.BaseOffsets(bytes));
        Assert.Equal(0, log.Read(2, int.MaxValue, true, log.LastStableOffset).Length);
        Assert.Equal(0, log.Read(5, int.MaxValue, true, log.LastStableOffset).Length);
        Assert.Equal([0L, 2, 4], TestBatch.BaseOffsets(log.ReadBytes(0)));
    }

    [Fact]
    public void An_abort_marker_adds_the_transaction_to_the_txnindex_with_the_lso_after_it()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Data(log, P1, 0);               // 0-1
        Data(log, P2, 0);               // 2-3
        Data(log, P1, 2);               // 4-5
        Marker(log, P1, commit: false); // 6
        Assert.Equal(2, log.LastStableOffset); // P2 still open
        Marker(log, P2, commit: true);  // 7
        Assert.Equal(8, log.LastStableOffset);

        Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(0, 8));
        Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(5, 8));
        Assert.Null(log.CollectAbortedTransactions(7, 8));
        var entry = Assert.Single(log.TxnIndexEntries());
        Assert.Equal((P1, 0L, 6L, 2L), (entry.ProducerId, entry.FirstOffset, entry.LastOffset, entry.LastStableOffset));
    }

    [Fact]
    public void A_marker_from_an_older_producer_or_coordinator_epoch_is_refused()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Data(log, P1, 0, epoch: 3);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Marker(log, P1, commit: true, epoch: 2).Error);
        Assert.Equal(ErrorCode.None, Marker(log, P1, commit: true, epoch: 3, coordinatorEpoch: 5).Error);
        Data(log, P1, 2, epoch: 3);
        Assert.Equal(ErrorCode.TransactionCoordinatorFenced, Marker(log, P1, commit: false, epoch: 3, coordinatorEpoch: 4).Error);
        Assert.Equal(3, log.LastStableOffset);
        // A bumped epoch (fencing, or transactions v2) ends it.
        Assert.Equal(ErrorCode.None, Marker(log, P1, commit: false, epoch: 4, coordinatorEpoch: 5).Error);
        Assert.Equal(log.LogEndOffset, log.LastStableOffset);
    }

    [Fact]
    public void Data_from_a_fenced_epoch_and_plain_writes_inside_a_transaction_are_refused()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Data(log, P1, 0, epoch: 1);
        Assert.Equal(ErrorCode.InvalidTxnState,
            log.AppendCopy(TestBatch.Create(1, 1000, producerId: P1, producerEpoch: 1, baseSequence: 2)).Error);
        Assert.Equal(ErrorCode.None, Marker(log, P1, commit: true, epoch: 2).Error); // fenced by a new epoch
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Data(log, P1, 2, epoch: 1).Error);
        Assert.Equal(ErrorCode.None, Data(log, P1, 0, epoch: 2).Error);
    }

    [Fact]
    public void Non_transactional_appends_keep_the_lso_at_the_high_watermark()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        for (int i = 0; i < 5; i++)
        {
            log.AppendCopy(TestBatch.Create(2, 1000, producerId: 7, producerEpoch: 0, baseSequence: i * 2));
            Assert.Equal(log.HighWatermark, log.LastStableOffset);
        }
        Assert.Equal(0, log.OngoingTransactionCount);
    }

    [Fact]
    public void Producers_report_their_open_transaction_and_coordinator_epoch()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Data(log, P1, 0, epoch: 2);
        Data(log, P2, 0);
        Marker(log, P2, commit: true, coordinatorEpoch: 9);
        var producers = log.GetProducers().OrderBy(p => p.ProducerId).ToList();
        Assert.Equal(new ProducerStateInfo(P1, 2, 1, 1000, -1, 0), producers[0]);
        Assert.Equal(new ProducerStateInfo(P2, 0, 1, 1000, 9, -1), producers[1]);
    }
}
