namespace Rill.Storage.Tests;

/// <summary>
/// <see cref="LogManager.DeleteLogs"/>: a deleted topic's partitions leave together, with one checkpoint, and what
/// stays is untouched, before and after a reopen.
/// </summary>
public sealed class BatchedDeletionTests
{
    [Fact]
    public async Task Many_partitions_are_renamed_at_once_checkpointed_once_and_removed_in_the_background()
    {
        using var dir = new TempDirectory();
        var config = new LogConfig { SegmentBytes = 4096 };
        var keep = new TopicPartition("keep", 0);
        var doomed = Enumerable.Range(0, 300).Select(i => new TopicPartition("big", i)).ToList();
        using (LogManager manager = LogManager.Open(dir.Path, _ => config))
        {
            manager.GetOrCreateLog(keep, config).AppendCopy(TestBatch.Create(3, 1));
            foreach (TopicPartition tp in doomed.Take(299))
            {
                manager.GetOrCreateLog(tp, config).AppendCopy(TestBatch.Create(1, 1));
            }
            manager.GetOrCreateLog(doomed[299], config); // never written: nothing on disk to rename
            int checkpoints = manager.CheckpointsWritten;

            Task removed = manager.DeleteLogs(doomed.Append(new TopicPartition("big", 999))); // and one that is not there

            Assert.Equal(checkpoints + 1, manager.CheckpointsWritten);
            Assert.Equal([keep], manager.ListPartitions());
            Assert.DoesNotContain(Directory.GetDirectories(dir.Path, "big-*"), d => !d.EndsWith("-delete", StringComparison.Ordinal));
            Assert.True(OffsetCheckpointFile.TryRead(dir.Sub(LogManager.RecoveryPointCheckpointFile), out var points));
            Assert.Equal([keep], points.Keys);
            await removed.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Empty(Directory.GetDirectories(dir.Path, "big-*"));
            Assert.Equal(3, manager.GetOrCreateLog(keep, config).LogEndOffset);

            // The names are free again, and a new log under one of them starts empty.
            PartitionLog again = manager.GetOrCreateLog(doomed[7], config);
            Assert.Equal(0, again.LogEndOffset);
            again.AppendCopy(TestBatch.Create(1, 1));
        }
        using (LogManager reopened = LogManager.Open(dir.Path, _ => config))
        {
            Assert.Equal([doomed[7], keep], reopened.ListPartitions().OrderBy(tp => tp.Topic).ToArray());
            Assert.True(reopened.TryGetLog(keep, out PartitionLog log));
            Assert.Equal(3, log.LogEndOffset);
            Assert.True(reopened.TryGetLog(doomed[7], out PartitionLog again));
            Assert.Equal(1, again.LogEndOffset);
        }
    }

    [Fact]
    public void Deleting_nothing_writes_no_checkpoint()
    {
        using var dir = new TempDirectory();
        var config = new LogConfig();
        using LogManager manager = LogManager.Open(dir.Path, _ => config);
        manager.GetOrCreateLog(new("t", 0), config).AppendCopy(TestBatch.Create(1, 1));
        int checkpoints = manager.CheckpointsWritten;
        Assert.True(manager.DeleteLogs([new("absent", 0)]).IsCompleted);
        Assert.True(manager.DeleteLogs([]).IsCompleted);
        Assert.Equal(checkpoints, manager.CheckpointsWritten);
    }
}
