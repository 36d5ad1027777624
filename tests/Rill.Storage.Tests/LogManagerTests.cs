using Rill.Protocol;

namespace Rill.Storage.Tests;

public sealed class LogManagerTests
{
    [Fact]
    public void Checkpoint_files_round_trip_in_kafka_format()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("recovery-point-offset-checkpoint");
        var offsets = new Dictionary<TopicPartition, long>
        {
            [new("orders", 0)] = 42,
            [new("rider.positions-v2", 11)] = 1234567890123,
        };
        OffsetCheckpointFile.Write(path, offsets);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("0", lines[0]);
        Assert.Equal("2", lines[1]);
        Assert.Contains("orders 0 42", lines);
        Assert.True(OffsetCheckpointFile.TryRead(path, out var read));
        Assert.Equal(offsets, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1\n0\n")]
    [InlineData("0\n2\norders 0 1\n")]
    [InlineData("0\n1\norders zero 1\n")]
    [InlineData("0\n1\norders 0 1 2\n")]
    public void Missing_or_garbled_checkpoints_read_as_unknown(string? contents)
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("log-start-offset-checkpoint");
        if (contents is not null) File.WriteAllText(path, contents);
        Assert.False(OffsetCheckpointFile.TryRead(path, out var read));
        Assert.Empty(read);
    }

    [Fact]
    public async Task The_manager_creates_lists_reopens_and_deletes_partitions()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var config = new LogConfig { SegmentBytes = 500 };
        using (LogManager manager = LogManager.Open(dir.Path, _ => config, time))
        {
            PartitionLog a = manager.GetOrCreateLog(new("orders", 0), config);
            PartitionLog b = manager.GetOrCreateLog(new("rider-positions", 3), config);
            Assert.Same(a, manager.GetOrCreateLog(new("orders", 0), config));
            for (int i = 0; i < 10; i++) a.AppendCopy(TestBatch.Create(2, 1, valueSize: 60));
            b.AppendCopy(TestBatch.Create(1, 1));
            Assert.True(a.AdvanceLogStartOffset(3));
            Assert.Equal(2, manager.ListPartitions().Length);
            Assert.True(Directory.Exists(dir.Sub("rider-positions-3")));
        }
        Assert.True(OffsetCheckpointFile.TryRead(dir.Sub(LogManager.LogStartOffsetCheckpointFile), out var starts));
        Assert.Equal(3, starts[new("orders", 0)]);
        Assert.True(OffsetCheckpointFile.TryRead(dir.Sub(LogManager.RecoveryPointCheckpointFile), out var points));
        Assert.Equal(20, points[new("orders", 0)]);

        using (LogManager manager = LogManager.Open(dir.Path, _ => config, time))
        {
            Assert.Equal(2, manager.ListPartitions().Length);
            Assert.True(manager.TryGetLog(new("orders", 0), out PartitionLog a));
            Assert.Equal(20, a.LogEndOffset);
            Assert.Equal(3, a.LogStartOffset);
            Assert.True(a.OpenedAfterCleanShutdown);

            Task deleted = manager.DeleteLog(new("rider-positions", 3));
            Assert.False(Directory.Exists(dir.Sub("rider-positions-3")));
            await deleted.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Empty(Directory.GetDirectories(dir.Path, "rider-positions-3*"));
            Assert.Single(manager.ListPartitions());
        }
    }

    [Fact]
    public void A_garbled_checkpoint_after_a_crash_means_full_recovery()
    {
        using var dir = new TempDirectory();
        var config = new LogConfig { SegmentBytes = 400 };
        string logPath;
        long end;
        using (LogManager manager = LogManager.Open(dir.Path, _ => config))
        {
            PartitionLog log = manager.GetOrCreateLog(new("t", 0), config);
            for (int i = 0; i < 12; i++) log.AppendCopy(TestBatch.Create(1, 1, valueSize: 80));
            end = log.LogEndOffset;
            logPath = log.Directory;
            manager.Checkpoint();
            log.CloseWithoutCleanShutdown();
        }
        File.WriteAllText(dir.Sub(LogManager.RecoveryPointCheckpointFile), "garbage\n");
        // Corrupt the FIRST segment: only a full recovery notices it.
        string first = Path.Combine(logPath, LogFileNames.BaseName(0) + ".log");
        byte[] data = File.ReadAllBytes(first);
        data[^3] ^= 0xFF;
        File.WriteAllBytes(first, data);

        using LogManager reopened = LogManager.Open(dir.Path, _ => config);
        Assert.True(reopened.TryGetLog(new("t", 0), out PartitionLog again));
        Assert.False(again.OpenedAfterCleanShutdown);
        Assert.True(again.LogEndOffset < end);
        Assert.Equal(1, again.SegmentCount);
        AppendReadTests.AssertEveryOffsetReadable(again);
    }
}
