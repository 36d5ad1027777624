using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>retention.ms and retention.bytes (cleanup.policy=delete), as Kafka applies them.</summary>
public sealed class RetentionTests
{
    [Fact]
    public void Segments_whose_newest_record_is_past_retention_ms_are_deleted_and_the_log_start_moves()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 400, RetentionMs = 60_000 },
            new LogOpenOptions { Time = time });
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now - 120_000, valueSize: 50));   // old
        long firstNew = log.LogEndOffset;
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));             // recent

        Assert.True(log.ApplyRetention() > 0);
        Assert.True(log.LogStartOffset > 0 && log.LogStartOffset <= firstNew);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(0, 100, true).Error);
        Assert.Equal(ErrorCode.None, log.Read(firstNew, 100, true).Error);
        Assert.Equal(40, log.LogEndOffset);
        Assert.Equal(0, log.ApplyRetention());

        // Once everything is old the active segment is rolled and deleted too; offsets carry on.
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(log.ApplyRetention() > 0);
        Assert.Equal(40, log.LogStartOffset);
        Assert.Equal(40, log.LogEndOffset);
        Assert.Equal(40, log.AppendCopy(TestBatch.Create(1, time.GetUtcNow().ToUnixTimeMilliseconds())).FirstOffset);
    }

    [Fact]
    public void Retention_bytes_keeps_the_log_within_its_size_from_the_oldest_segment_on()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 400, RetentionBytes = 1200, RetentionMs = -1 },
            new LogOpenOptions { Time = time });
        for (int i = 0; i < 30; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));
        Assert.True(log.GetSegments().Sum(s => s.SizeInBytes) > 1200);
        Assert.True(log.ApplyRetention() > 0);
        // As Kafka: a segment goes only if the log stays at or above retention.bytes without it.
        var segments = log.GetSegments();
        Assert.True(segments.Length == 1 || segments.Sum(s => s.SizeInBytes) - segments[0].SizeInBytes < 1200);
        Assert.True(segments.Sum(s => s.SizeInBytes) >= 1200);
        Assert.Equal(log.GetSegments()[0].BaseOffset, log.LogStartOffset);
        AppendReadTests.AssertEveryOffsetReadable(log);
    }

    [Fact]
    public void A_compact_only_log_keeps_every_segment()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"),
            new LogConfig { SegmentBytes = 400, RetentionMs = 1, RetentionBytes = 1, DeleteRetention = false }, new LogOpenOptions { Time = time });
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, 0, valueSize: 50));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, log.ApplyRetention());
        Assert.Equal(0, log.LogStartOffset);
    }
}
