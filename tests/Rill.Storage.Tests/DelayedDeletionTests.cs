using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>file.delete.delay.ms: a segment retention removed stays readable, renamed *.deleted, for that long by the log's clock.</summary>
public sealed class DelayedDeletionTests
{
    [Fact]
    public void A_retained_away_segment_is_renamed_deleted_and_closed_only_after_file_delete_delay_ms_of_the_logs_clock()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        long now = time.NowMs;
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"),
            new LogConfig { SegmentBytes = 400, RetentionMs = 60_000, FileDeleteDelayMs = 90_000 }, new LogOpenOptions { Time = time });
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now - 120_000, valueSize: 50));
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));
        LogReadResult heldByAReader = log.Read(0, 1000, true);
        string firstLog = Path.Combine(log.Directory, "00000000000000000000.log");
        Assert.True(File.Exists(firstLog));

        Assert.True(log.ApplyRetention() > 0);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(0, 100, true).Error);
        Assert.False(File.Exists(firstLog));
        Assert.True(File.Exists(firstLog + ".deleted"));
        Assert.True(heldByAReader.CopyTo(new byte[heldByAReader.Length]) > 0);

        time.Advance(TimeSpan.FromMilliseconds(89_999));
        Assert.Equal(0, log.DeleteDueSegments());
        Assert.True(File.Exists(firstLog + ".deleted"));
        Assert.True(heldByAReader.CopyTo(new byte[heldByAReader.Length]) > 0);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(log.DeleteDueSegments() > 0);
        Assert.Empty(Directory.EnumerateFiles(log.Directory, "*.deleted"));
        Assert.Throws<ObjectDisposedException>(() => heldByAReader.CopyTo(new byte[heldByAReader.Length]));
        AppendReadTests.AssertEveryOffsetReadable(log);
    }

    [Fact]
    public void With_no_delay_the_files_go_at_once_and_closing_the_log_removes_what_still_waits()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        long now = time.NowMs;
        string path = dir.Sub("t-0");
        PartitionLog log = PartitionLog.Open(path, new LogConfig { SegmentBytes = 400, RetentionMs = 60_000, FileDeleteDelayMs = 0 },
            new LogOpenOptions { Time = time });
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now - 120_000, valueSize: 50));
        for (int i = 0; i < 10; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));
        Assert.True(log.ApplyRetention() > 0);
        Assert.Empty(Directory.EnumerateFiles(path, "*.deleted"));

        log.UpdateConfig(log.Config with { FileDeleteDelayMs = 3_600_000 });
        for (int i = 0; i < 20; i++) log.AppendCopy(TestBatch.Create(2, now, valueSize: 50));
        Assert.True(log.AdvanceLogStartOffset(log.LogEndOffset - 2));
        Assert.NotEmpty(Directory.EnumerateFiles(path, "*.deleted"));
        log.Close();
        Assert.Empty(Directory.EnumerateFiles(path, "*.deleted"));
    }
}
