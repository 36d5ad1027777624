using Rill.Protocol;
using Rill.Storage.Producers;

namespace Rill.Storage.Tests;

/// <summary>
/// producer.id.expiration.ms (KIP-854): a producer's state in a partition is dropped once it has not written for that
/// long (by its batches' timestamps), never while it has an open transaction; checked on demand, by the log manager's
/// maintenance and when a log is opened.
/// </summary>
public sealed class ProducerIdExpirationTests
{
    private const long Pid = 77, TxnPid = 88, Hour = 3_600_000;

    private static byte[] Idempotent(long timestamp, int baseSeq, long pid = Pid)
        => TestBatch.Create(1, timestamp, producerId: pid, producerEpoch: 0, baseSequence: baseSeq);

    [Fact]
    public void An_idle_producer_expires_an_active_one_and_one_with_an_open_transaction_do_not()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig(), new LogOpenOptions { Time = time });
        long start = time.NowMs;
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(start, 0)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(TestBatch.Transactional(1, start, TxnPid, 0, 0)).Error);
        long lso = log.LastStableOffset;

        time.Advance(TimeSpan.FromMilliseconds(Hour - 1));
        Assert.Equal(0, log.RemoveExpiredProducers(Hour));
        // While known, a gap in its sequence is refused.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, log.AppendCopy(Idempotent(start, 5)).Error);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, log.RemoveExpiredProducers(Hour));
        Assert.Equal([TxnPid], log.GetProducers().Select(p => p.ProducerId));
        Assert.Equal(lso, log.LastStableOffset); // the open transaction still holds the last stable offset
        // Forgotten: its next write is accepted at any sequence, as a new producer's.
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(time.NowMs, 5)).Error);

        // Once its transaction ended and it has been idle long enough, the transactional producer goes too.
        Assert.Equal(ErrorCode.None, log.Append(ControlRecord.BuildMarker(TxnPid, 0, commit: true, 0, time.NowMs)).Error);
        time.Advance(TimeSpan.FromMilliseconds(Hour));
        Assert.Equal(2, log.RemoveExpiredProducers(Hour));
        Assert.Equal(0, log.ProducerCount);
    }

    [Fact]
    public void Expired_producers_are_not_loaded_when_a_log_is_opened()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        string path = dir.Sub("t-0");
        using (PartitionLog log = PartitionLog.Open(path, new LogConfig(), new LogOpenOptions { Time = time }))
        {
            log.AppendCopy(Idempotent(time.NowMs, 0));
            log.AppendCopy(Idempotent(time.NowMs, 0, pid: 99));
            time.Advance(TimeSpan.FromMilliseconds(Hour / 2));
            log.AppendCopy(Idempotent(time.NowMs, 1, pid: 99));
        }
        time.Advance(TimeSpan.FromMilliseconds(Hour / 2));
        using (PartitionLog kept = PartitionLog.Open(path, new LogConfig(), new LogOpenOptions { Time = time }))
        {
            Assert.Equal(2, kept.ProducerCount);
        }
        using PartitionLog reopened = PartitionLog.Open(path, new LogConfig(), new LogOpenOptions { Time = time, ProducerIdExpirationMs = Hour });
        Assert.Equal([99L], reopened.GetProducers().Select(p => p.ProducerId));
    }

    [Fact]
    public async Task The_log_manager_checks_expiry_periodically_with_the_current_setting()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var config = new LogConfig();
        using LogManager logs = LogManager.Open(dir.Path, _ => config, time);
        PartitionLog log = logs.GetOrCreateLog(new TopicPartition("t", 0), config);
        log.AppendCopy(Idempotent(time.NowMs, 0));
        long expirationMs = long.MaxValue;
        logs.StartMaintenance(new LogMaintenanceOptions
        {
            FlushSchedulerIntervalMs = 10,
            ProducerIdExpirationCheckIntervalMs = 100,
            ProducerIdExpirationMs = () => Volatile.Read(ref expirationMs),
        });
        time.Advance(TimeSpan.FromMilliseconds(5_000));
        Assert.Equal(1, log.ProducerCount);

        Volatile.Write(ref expirationMs, 1_000); // the dynamic setting lowered
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            return log.ProducerCount == 0;
        }, "the idle producer expired", TimeSpan.FromSeconds(15));
        await logs.StopMaintenanceAsync();
    }
}
