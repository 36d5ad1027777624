using Rill.Storage.Epochs;
using Rill.Storage.Internal;

namespace Rill.Storage.Tests.Epochs;

/// <summary>
/// The log's side of KIP-101: a leader stamps its epoch into appended batches, appends (leader's and follower's) start
/// epochs in the cache, truncations and log-start moves cut it, and it survives restarts and crashes, even with a
/// damaged checkpoint file.
/// </summary>
public sealed class LeaderEpochLogTests
{
    private static PartitionLog Open(string path, FakeTimeProvider? time = null, LogConfig? config = null)
        => PartitionLog.Open(path, config ?? new LogConfig(), new LogOpenOptions { Time = time ?? new FakeTimeProvider() });

    private static List<int> StampedEpochs(PartitionLog log)
    {
        var epochs = new List<int>();
        byte[] data = log.ReadBytes(log.LogStartOffset);
        for (int pos = 0; pos < data.Length; pos += Batch.TotalSize(data.AsSpan(pos)))
        {
            epochs.Add(Batch.PartitionLeaderEpoch(data.AsSpan(pos)));
        }
        return epochs;
    }

    private static string CheckpointPath(PartitionLog log) => Path.Combine(log.Directory, LeaderEpochCheckpointFile.FileName);

    [Fact]
    public void The_leader_stamps_its_epoch_and_the_cache_records_where_each_epoch_began()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(TestBatch.Create(2, 1)); // single node / not leader: the client's value (0 here) stays
        log.BecomeLeader(3);
        log.AppendCopy(TestBatch.Create(3, 1));
        log.BecomeLeader(5);
        log.AppendCopy(TestBatch.Create(1, 1));
        log.AppendCopy(TestBatch.Create(1, 1));

        Assert.Equal([0, 3, 5, 5], StampedEpochs(log));
        Assert.True(Batch.CrcMatches(log.ReadBytes(2).AsSpan(0, Batch.TotalSize(log.ReadBytes(2)))));
        Assert.Equal([new EpochEntry(3, 2), new EpochEntry(5, 5)], log.LeaderEpochs.Entries);
        Assert.Equal("0\n2\n3 2\n5 5\n", File.ReadAllText(CheckpointPath(log)));
        Assert.Equal(new EpochEndOffset(3, 5), log.EndOffsetForEpoch(3));
        Assert.Equal(new EpochEndOffset(5, 7), log.EndOffsetForEpoch(5));

        log.BecomeFollower();
        log.AppendCopy(TestBatch.Create(1, 1));
        Assert.Equal(0, StampedEpochs(log)[^1]);
        Assert.Equal(5, log.LeaderEpochs.LatestEpoch);
    }

    [Fact]
    public void A_follower_takes_the_epochs_of_the_batches_it_appends()
    {
        using var dir = new TempDirectory();
        using PartitionLog leader = Open(dir.Sub("leader-0"));
        using PartitionLog follower = Open(dir.Sub("follower-0"));
        leader.BecomeLeader(1);
        leader.AppendCopy(TestBatch.Create(3, 1));
        leader.BecomeLeader(2);
        leader.AppendCopy(TestBatch.Create(2, 1));
        follower.AppendAsFollower(leader.ReadBytes(0));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 3)], follower.LeaderEpochs.Entries);
        Assert.Equal(leader.LeaderEpochs.Entries, follower.LeaderEpochs.Entries);
    }

    [Fact]
    public void Truncation_retention_and_full_truncation_cut_the_cache()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), config: new LogConfig { SegmentBytes = 400 });
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            log.BecomeLeader(epoch);
            for (int i = 0; i < 3; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 40));
        }
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 6), new EpochEntry(3, 12), new EpochEntry(4, 18)], log.LeaderEpochs.Entries);

        log.TruncateTo(14); // inside epoch 3: epoch 4 goes
        Assert.Equal(14, log.LogEndOffset);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 6), new EpochEntry(3, 12)], log.LeaderEpochs.Entries);
        Assert.Equal(new EpochEndOffset(3, 14), log.EndOffsetForEpoch(3));

        Assert.True(log.AdvanceLogStartOffset(8)); // DeleteRecords into epoch 2
        Assert.Equal([new EpochEntry(2, 8), new EpochEntry(3, 12)], log.LeaderEpochs.Entries);
        Assert.Equal("0\n2\n2 8\n3 12\n", File.ReadAllText(CheckpointPath(log)));

        log.TruncateFullyAndStartAt(30);
        Assert.Equal(30, log.LogStartOffset);
        Assert.Equal(30, log.LogEndOffset);
        Assert.Empty(log.LeaderEpochs.Entries);
        Assert.Equal("0\n0\n", File.ReadAllText(CheckpointPath(log)));
        log.BecomeLeader(6);
        log.AppendCopy(TestBatch.Create(2, 1));
        Assert.Equal([30L], log.AllBatchOffsets());
        Assert.Equal([new EpochEntry(6, 30)], log.LeaderEpochs.Entries);
    }

    [Fact]
    public void Retention_moves_the_first_epochs_start()
    {
        var time = new FakeTimeProvider();
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), time, new LogConfig { SegmentBytes = 300, RetentionBytes = 700 });
        log.BecomeLeader(1);
        for (int i = 0; i < 6; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 40));
        log.BecomeLeader(2);
        for (int i = 0; i < 6; i++) log.AppendCopy(TestBatch.Create(2, 1, valueSize: 40));
        Assert.True(log.ApplyRetention() > 0);
        long start = log.LogStartOffset;
        Assert.True(start > 0);
        EpochEntry first = log.LeaderEpochs.Entries[0];
        Assert.Equal(start, first.StartOffset);
        Assert.Equal(start >= 12 ? 2 : 1, first.Epoch);
    }

    [Fact]
    public void The_cache_survives_a_clean_restart_and_a_crash()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path))
        {
            log.BecomeLeader(1);
            log.AppendCopy(TestBatch.Create(2, 1));
            log.BecomeLeader(4);
            log.AppendCopy(TestBatch.Create(2, 1));
        }
        using (PartitionLog log = Open(path))
        {
            Assert.True(log.OpenedAfterCleanShutdown);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 2)], log.LeaderEpochs.Entries);
            log.BecomeLeader(7);
            log.AppendCopy(TestBatch.Create(2, 1));
            // The process dies after the append reached the log but before the epoch reached the checkpoint file.
            File.WriteAllText(CheckpointPath(log), "0\n2\n1 0\n4 2\n");
            log.CloseWithoutCleanShutdown();
        }
        using (PartitionLog log = Open(path))
        {
            Assert.False(log.OpenedAfterCleanShutdown);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 2), new EpochEntry(7, 4)], log.LeaderEpochs.Entries);
        }
    }

    [Fact]
    public void A_checkpoint_ahead_of_the_log_is_cut_at_the_log_end()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path))
        {
            log.BecomeLeader(1);
            log.AppendCopy(TestBatch.Create(2, 1));
        }
        // The file names an epoch whose batches were lost (written, then the machine lost its page cache).
        File.WriteAllText(Path.Combine(path, LeaderEpochCheckpointFile.FileName), "0\n2\n1 0\n3 2\n");
        using PartitionLog reopened = Open(path);
        Assert.Equal([new EpochEntry(1, 0)], reopened.LeaderEpochs.Entries);
        Assert.Equal("0\n1\n1 0\n", File.ReadAllText(Path.Combine(path, LeaderEpochCheckpointFile.FileName)));
    }

    [Theory]
    [InlineData("0\n3\n1 0\n2 ")]
    [InlineData("garbage")]
    [InlineData("")]
    public void A_torn_or_corrupt_checkpoint_is_rebuilt_from_the_batches(string damaged)
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        using (PartitionLog log = Open(path))
        {
            log.BecomeLeader(1);
            log.AppendCopy(TestBatch.Create(2, 1));
            log.BecomeLeader(2);
            log.AppendCopy(TestBatch.Create(3, 1));
            log.BecomeLeader(9);
            log.AppendCopy(TestBatch.Create(1, 1));
        }
        File.WriteAllText(Path.Combine(path, LeaderEpochCheckpointFile.FileName), damaged);
        using PartitionLog reopened = Open(path);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 2), new EpochEntry(9, 5)], reopened.LeaderEpochs.Entries);
        Assert.True(LeaderEpochCheckpointFile.TryRead(Path.Combine(path, LeaderEpochCheckpointFile.FileName), out var rewritten));
        Assert.Equal(reopened.LeaderEpochs.Entries, rewritten);
    }

    [Fact]
    public void The_leaders_append_path_stays_allocation_free()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"), config: new LogConfig { IndexIntervalBytes = 256 });
        log.BecomeLeader(2);
        byte[] batch = TestBatch.Create(3, 1, valueSize: 40);
        for (int i = 0; i < 200; i++) log.Append(batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) log.Append(batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 200 * 24, $"{allocated} bytes allocated for 200 stamped appends");
        Assert.Equal([new EpochEntry(2, 0)], log.LeaderEpochs.Entries);
    }

    [Fact]
    public void The_log_manager_checkpoints_replicated_high_watermarks_and_restores_them()
    {
        using var dir = new TempDirectory();
        var tp = new TopicPartition("r", 0);
        using (LogManager manager = LogManager.Open(dir.Path, _ => new LogConfig(), new FakeTimeProvider()))
        {
            PartitionLog log = manager.GetOrCreateLog(tp, new LogConfig());
            log.BecomeLeader(1);
            for (int i = 0; i < 5; i++) log.AppendCopy(TestBatch.Create(2, 1));
            log.ReplicatedHighWatermark = 6;
            // not replicated: not in the file (written to, so that it is on disk and reopened below)
            manager.GetOrCreateLog(new TopicPartition("local", 0), new LogConfig()).AppendCopy(TestBatch.Create(1, 1));
            manager.CheckpointHighWatermarks();
            Assert.Equal("0\n1\nr 0 6\n", File.ReadAllText(Path.Combine(dir.Path, LogManager.ReplicationOffsetCheckpointFile)));
        }
        using (LogManager manager = LogManager.Open(dir.Path, _ => new LogConfig(), new FakeTimeProvider()))
        {
            Assert.True(manager.TryGetLog(tp, out PartitionLog log));
            Assert.Equal(6, log.ReplicatedHighWatermark);
            Assert.Equal(10, log.LogEndOffset);
            Assert.True(manager.TryGetLog(new TopicPartition("local", 0), out PartitionLog local));
            Assert.Equal(-1, local.ReplicatedHighWatermark);
        }
    }
}
