namespace Rill.Storage.Tests;

/// <summary>
/// A roll no longer fsyncs the old segment inside the append that crossed segment.bytes: a background flush syncs it,
/// writes the producer snapshot and only then moves the recovery point (issue 16's produce stalls at a 1 GB roll).
/// </summary>
public sealed class RollFlushTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 400, IndexIntervalBytes = 100 };

    private static PartitionLog Open(string path) => PartitionLog.Open(path, Config, new LogOpenOptions { Time = new FakeTimeProvider() });

    /// <summary>A log whose rolled-segment flushes wait for the returned gate.</summary>
    private static (PartitionLog Log, TaskCompletionSource Gate) OpenHeld(string path)
    {
        PartitionLog log = Open(path);
        var gate = new TaskCompletionSource();
        log.HoldRollFlushes(gate.Task);
        return (log, gate);
    }

    private static void AppendUntilSegments(PartitionLog log, int segments, ref int sequence)
    {
        for (int guard = 0; log.SegmentCount < segments && guard < 1000; guard++)
        {
            log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 60, producerId: 5, producerEpoch: 0, baseSequence: sequence++));
        }
        Assert.Equal(segments, log.SegmentCount);
    }

    [Fact]
    public async Task The_recovery_point_moves_to_the_rolled_segment_end_once_its_flush_has_run()
    {
        using var dir = new TempDirectory();
        var (log, gate) = OpenHeld(dir.Sub("t-0"));
        using PartitionLog _ = log;
        int sequence = 0;
        AppendUntilSegments(log, 2, ref sequence);
        long rolledAt = log.GetSegments()[^1].BaseOffset;

        // The append that rolled returned before the old segment was synced: nothing is claimed durable yet.
        Assert.Equal(0, log.RecoveryPoint);
        Assert.False(File.Exists(LogFileNames.SnapshotFile(log.Directory, rolledAt)));

        gate.SetResult();
        await log.WhenRollsFlushed();
        Assert.Equal(rolledAt, log.RecoveryPoint);
        Assert.True(File.Exists(LogFileNames.SnapshotFile(log.Directory, rolledAt)));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.tmp"));
    }

    [Fact]
    public void An_explicit_flush_covers_a_rolled_segment_whose_background_flush_has_not_run()
    {
        using var dir = new TempDirectory();
        var (log, gate) = OpenHeld(dir.Sub("t-0"));
        using PartitionLog _ = log;
        int sequence = 0;
        AppendUntilSegments(log, 3, ref sequence);

        log.Flush();
        Assert.Equal(log.LogEndOffset, log.RecoveryPoint);
        gate.SetResult();
    }

    [Fact]
    public async Task A_flush_finishing_after_a_truncation_below_the_roll_leaves_the_recovery_point_and_snapshots_alone()
    {
        using var dir = new TempDirectory();
        var (log, gate) = OpenHeld(dir.Sub("t-0"));
        using PartitionLog _ = log;
        int sequence = 0;
        AppendUntilSegments(log, 2, ref sequence);
        long rolledAt = log.GetSegments()[^1].BaseOffset;

        long end = log.TruncateTo(rolledAt - 1); // a follower cut back below the roll before the flush ran
        gate.SetResult();
        await log.WhenRollsFlushed();

        Assert.True(log.RecoveryPoint <= end, $"recovery point {log.RecoveryPoint} past the log end {end}");
        Assert.False(File.Exists(LogFileNames.SnapshotFile(log.Directory, rolledAt)));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.tmp"));
    }

    [Fact]
    public void Closing_right_after_rolls_waits_for_their_flushes_and_reopens_cleanly()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        long end;
        using (PartitionLog log = Open(path))
        {
            int sequence = 0;
            AppendUntilSegments(log, 4, ref sequence);
            end = log.LogEndOffset;
        }
        using PartitionLog reopened = Open(path);
        Assert.True(reopened.OpenedAfterCleanShutdown);
        Assert.Equal(end, reopened.LogEndOffset);
        Assert.Empty(Directory.GetFiles(path, "*.tmp"));
        AppendReadTests.AssertEveryOffsetReadable(reopened);
    }

    [Fact]
    public void A_crash_before_the_roll_flush_recovers_every_acknowledged_batch_and_the_producer_state()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0"), crashed = dir.Sub("crashed-0");
        long end;
        int sequence = 0;
        var (log, gate) = OpenHeld(path);
        using (log)
        {
            AppendUntilSegments(log, 3, ref sequence);
            end = log.LogEndOffset;
            Assert.Equal(0, log.RecoveryPoint);
            // What a crash leaves now: every write in the files, no roll snapshot, no clean-shutdown marker.
            RecoveryTests.CopyDirectory(path, crashed);
            gate.SetResult();
        }

        using PartitionLog reopened = Open(crashed);
        Assert.False(reopened.OpenedAfterCleanShutdown);
        Assert.Equal(end, reopened.LogEndOffset);
        AppendReadTests.AssertEveryOffsetReadable(reopened);
        // The producer's sequence survived: a replay of its last batch is a duplicate, the next one is in order.
        AppendResult duplicate = reopened.AppendCopy(TestBatch.Create(1, 1000, valueSize: 60, producerId: 5, producerEpoch: 0, baseSequence: sequence - 1));
        Assert.True(duplicate.IsDuplicate);
        AppendResult next = reopened.AppendCopy(TestBatch.Create(1, 1000, valueSize: 60, producerId: 5, producerEpoch: 0, baseSequence: sequence));
        Assert.Equal(Rill.Protocol.ErrorCode.None, next.Error);
        Assert.False(next.IsDuplicate);
    }
}
