using System.Text;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Cleaning;
using Rill.Storage.Producers;

namespace Rill.Storage.Tests.Transactions;

/// <summary>
/// The cleaner and transactions, as Kafka: aborted data is removed and never supersedes committed records, abort
/// markers stay with their .txnindex entry while their data is being removed, markers go after delete.retention.ms
/// once their data has gone, and nothing from the last stable offset's segment on is cleaned.
/// </summary>
public sealed class TransactionCompactionTests
{
    private const long P1 = 77;
    private static readonly LogConfig Compacted = new()
    {
        SegmentBytes = 100_000,
        Compact = true,
        DeleteRetention = false,
        MinCleanableDirtyRatio = 0,
        DeleteRetentionMs = 60_000,
    };

    private static byte[] Keyed(long ts, string key, string value, long pid = -1, int seq = -1, bool transactional = false)
        => RecordBatchBuilder.Build([new RecordData(ts, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value))],
            new BatchOptions(ProducerId: pid, ProducerEpoch: (short)(pid >= 0 ? 0 : -1), BaseSequence: seq, Transactional: transactional));

    private static CleanerStats Clean(PartitionLog log, FakeTimeProvider time)
        => log.Clean(new OffsetMap(1 << 16), new BatchFilter(), time.NowMs, CancellationToken.None);

    private static Dictionary<long, string> Values(PartitionLog log)
        => CompactionTests.ReadAll(log).Where(r => r.Value is not null && !r.Key.StartsWith('\0')).ToDictionary(r => r.Offset, r => $"{r.Key}={r.Value}");

    [Fact]
    public void Aborted_data_goes_without_removing_the_committed_value_and_its_marker_goes_after_delete_retention()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), Compacted, new LogOpenOptions { Time = time });
        log.AppendCopy(Keyed(time.NowMs, "k", "committed"));                                           // 0
        log.AppendCopy(Keyed(time.NowMs, "k", "aborted", pid: P1, seq: 0, transactional: true));      // 1
        Assert.Equal(ErrorCode.None, log.Append(ControlRecord.BuildMarker(P1, 0, false, 0, time.NowMs)).Error); // 2
        log.AppendCopy(Keyed(time.NowMs, "j", "x"));                                                   // 3
        log.Roll();
        log.AppendCopy(Keyed(time.NowMs, "z", "active"));                                              // 4

        CleanerStats first = Clean(log, time);
        Assert.Equal(1, first.AbortedRecordsDropped);
        Assert.Equal(new Dictionary<long, string> { [0] = "k=committed", [3] = "j=x", [4] = "z=active" }, Values(log));
        Assert.Contains(2L, log.AllBatchOffsets()); // the abort marker stays...
        Assert.Equal([new AbortedTransaction(P1, 1)], log.CollectAbortedTransactions(0, 5)); // ...with its entry

        Clean(log, time); // its data is gone: the entry goes, the marker waits for delete.retention.ms
        Assert.Null(log.CollectAbortedTransactions(0, 5));
        Assert.Contains(2L, log.AllBatchOffsets());

        time.Advance(TimeSpan.FromMinutes(2));
        CleanerStats late = Clean(log, time);
        Assert.Equal(1, late.MarkersDropped);
        Assert.DoesNotContain(2L, log.AllBatchOffsets());
        Assert.Equal("k=committed", Values(log)[0]);
    }

    [Fact]
    public void An_open_transactions_segment_is_not_cleaned_until_its_commit()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), Compacted, new LogOpenOptions { Time = time });
        log.AppendCopy(Keyed(time.NowMs, "k", "old"));                                              // 0
        log.AppendCopy(Keyed(time.NowMs, "k", "txn", pid: P1, seq: 0, transactional: true));       // 1, open
        log.Roll();
        log.AppendCopy(Keyed(time.NowMs, "k", "newest"));                                           // 2
        log.Roll();
        log.AppendCopy(Keyed(time.NowMs, "z", "active"));                                           // 3

        Clean(log, time);
        Assert.Equal(["k=old", "k=txn"], Values(log).Where(v => v.Key < 2).Select(v => v.Value));

        Assert.Equal(ErrorCode.None, log.Append(ControlRecord.BuildMarker(P1, 0, true, 0, time.NowMs)).Error); // 4
        log.Roll();
        log.AppendCopy(Keyed(time.NowMs, "y", "active"));
        Clean(log, time);
        Assert.Equal(new Dictionary<long, string> { [2] = "k=newest", [3] = "z=active", [5] = "y=active" }, Values(log));
        Assert.Contains(4L, log.AllBatchOffsets()); // the commit marker: within delete.retention.ms
        time.Advance(TimeSpan.FromMinutes(2));
        Clean(log, time);
        Assert.DoesNotContain(4L, log.AllBatchOffsets());
        Assert.Equal(log.LogEndOffset, log.LastStableOffset);
    }

    [Fact]
    public void Cleaned_segments_keep_their_txnindex_across_a_restart()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        string path = dir.Sub("t-0");
        using (PartitionLog log = PartitionLog.Open(path, Compacted, new LogOpenOptions { Time = time }))
        {
            log.AppendCopy(Keyed(time.NowMs, "k", "aborted", pid: P1, seq: 0, transactional: true)); // 0
            log.AppendCopy(Keyed(time.NowMs, "k", "committed"));                                      // 1
            log.Roll();
            log.AppendCopy(Keyed(time.NowMs, "k", "aborted2", pid: P1, seq: 1, transactional: true)); // 2
            log.Append(ControlRecord.BuildMarker(P1, 0, false, 0, time.NowMs));                       // 3
            log.Roll();
            log.AppendCopy(Keyed(time.NowMs, "z", "active"));                                         // 4
            Clean(log, time);
            Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(0, 5));
            Assert.Equal(new Dictionary<long, string> { [1] = "k=committed", [4] = "z=active" }, Values(log));
        }
        using (PartitionLog log = PartitionLog.Open(path, Compacted, new LogOpenOptions { Time = time }))
        {
            Assert.Equal([new AbortedTransaction(P1, 0)], log.CollectAbortedTransactions(0, 5));
            Assert.Equal(5, log.LastStableOffset);
        }
    }
}
