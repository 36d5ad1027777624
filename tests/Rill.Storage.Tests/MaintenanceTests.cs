using Rill.Protocol;

namespace Rill.Storage.Tests;

public sealed class MaintenanceTests
{
    private static PartitionLog Open(string path, LogConfig config)
        => PartitionLog.Open(path, config, new LogOpenOptions { Time = new FakeTimeProvider() });

    [Fact]
    public void Truncate_removes_whole_batches_and_later_segments()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 400 });
        for (int i = 0; i < 20; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 50));
        int segments = log.SegmentCount;
        Assert.Equal(10, log.TruncateTo(11));
        Assert.True(log.SegmentCount < segments);
        Assert.Equal(10, log.LogEndOffset);
        AppendReadTests.AssertEveryOffsetReadable(log);
        Assert.Equal(10, log.AppendCopy(TestBatch.Create(1, 1)).FirstOffset);

        Assert.Equal(0, log.TruncateTo(0));
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.AppendCopy(TestBatch.Create(1, 1)).FirstOffset);
    }

    [Fact]
    public void Advancing_the_log_start_deletes_the_segments_below_it()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        var config = new LogConfig { SegmentBytes = 400 };
        using (PartitionLog log = Open(path, config))
        {
            for (int i = 0; i < 20; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 50));
            int segments = log.SegmentCount;
            Assert.True(log.AdvanceLogStartOffset(15));
            Assert.Equal(15, log.LogStartOffset);
            Assert.True(log.SegmentCount < segments);
            Assert.True(log.GetSegments()[0].BaseOffset <= 15);
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(14, 100, true).Error);
            Assert.Equal(ErrorCode.None, log.Read(15, 100, true).Error);
            log.Close();
        }
        using (PartitionLog log = PartitionLog.Open(path, config, new LogOpenOptions { LogStartOffset = 15 }))
        {
            Assert.Equal(15, log.LogStartOffset);
            Assert.Equal(40, log.LogEndOffset);
        }
    }

    [Fact]
    public void Retention_deletes_oldest_segments_but_never_the_active_one()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 400 });
        for (int i = 0; i < 20; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 50));
        int segments = log.SegmentCount;
        Assert.Equal(segments - 1, log.DeleteOldestSegments(_ => true));
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.GetSegments()[0].BaseOffset, log.LogStartOffset);
        Assert.Single(Directory.GetFiles(log.Directory, "*.log"));
        AppendReadTests.AssertEveryOffsetReadable(log);
    }

    [Fact]
    public void Flush_messages_policy_moves_the_recovery_point()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), new LogConfig { FlushIntervalMessages = 3 });
        log.AppendCopy(TestBatch.Create(2, 1));
        Assert.Equal(0, log.RecoveryPoint);
        log.AppendCopy(TestBatch.Create(1, 1));
        Assert.Equal(3, log.RecoveryPoint);
        log.AppendCopy(TestBatch.Create(1, 1));
        log.Flush();
        Assert.Equal(4, log.RecoveryPoint);
    }
}
