namespace Rill.Storage.Tests;

/// <summary>
/// rill.log.max.open.files: the logs of a log manager keep at most that many segment files open; the least recently
/// used are closed and reopened on their next use, without losing or failing a read or a write.
/// </summary>
public sealed class OpenFileBudgetTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 4000, IndexIntervalBytes = 100 };

    private static LogManager Open(string dir, int budget) =>
        LogManager.Open(dir, _ => Config, new FakeTimeProvider(), maxOpenFiles: budget);

    [Fact]
    public void Forty_logs_with_a_budget_of_eight_keep_at_most_eight_files_open_and_read_back_everything_after_a_restart()
    {
        using var dir = new TempDirectory();
        var partitions = Enumerable.Range(0, 40).Select(i => new TopicPartition("t", i)).ToArray();
        using (LogManager manager = Open(dir.Path, 8))
        {
            Assert.Equal(8, manager.MaxOpenSegmentFiles);
            foreach (TopicPartition tp in partitions)
            {
                PartitionLog log = manager.GetOrCreateLog(tp, Config);
                for (int i = 0; i < 30; i++) log.AppendCopy(TestBatch.Create(2, 1000 + i, valueSize: 60)); // several segments each
                Assert.True(manager.OpenSegmentFiles <= 8, $"{manager.OpenSegmentFiles} open");
            }
            Assert.True(manager.SegmentFileEvictions > 0);
            foreach (TopicPartition tp in partitions)
            {
                Assert.True(manager.TryGetLog(tp, out PartitionLog log));
                Assert.Equal(Enumerable.Range(0, 30).Select(i => 2L * i), log.AllBatchOffsets());
                Assert.True(manager.OpenSegmentFiles <= 8, $"{manager.OpenSegmentFiles} open");
            }
        }
        using (LogManager reopened = Open(dir.Path, 8))
        {
            Assert.True(reopened.OpenSegmentFiles <= 8, $"{reopened.OpenSegmentFiles} open after the restart");
            foreach (TopicPartition tp in partitions)
            {
                Assert.True(reopened.TryGetLog(tp, out PartitionLog log));
                Assert.Equal(60, log.LogEndOffset);
                Assert.Equal(60, log.AppendCopy(TestBatch.Create(1, 5000)).FirstOffset);
                Assert.True(reopened.OpenSegmentFiles <= 8, $"{reopened.OpenSegmentFiles} open");
            }
        }
    }

    [Fact]
    public async Task Readers_and_writers_racing_evictions_never_see_a_closed_file()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 2);
        PartitionLog[] logs = Enumerable.Range(0, 6).Select(i => manager.GetOrCreateLog(new TopicPartition("r", i), Config)).ToArray();
        foreach (PartitionLog log in logs) log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 60));

        var until = DateTime.UtcNow.AddSeconds(2);
        Task[] workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            int rounds = 0;
            while (DateTime.UtcNow < until && rounds++ < 20_000)
            {
                PartitionLog log = logs[(w + rounds) % logs.Length];
                if (w == 0 && rounds % 50 == 0)
                {
                    log.AppendCopy(TestBatch.Create(1, 1000, valueSize: 60));
                }
                byte[] first = log.ReadBytes(0);
                Assert.Equal(0, TestBatch.BaseOffset(first));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.True(manager.SegmentFileEvictions > 0);
        Assert.True(manager.OpenSegmentFiles <= 2 + workers.Length, $"{manager.OpenSegmentFiles} open");
    }

    [Fact]
    public void A_log_never_written_holds_no_descriptor_and_a_closed_log_none_either()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 8);
        PartitionLog idle = manager.GetOrCreateLog(new TopicPartition("idle", 0), Config);
        Assert.Equal(0, manager.OpenSegmentFiles);
        PartitionLog busy = manager.GetOrCreateLog(new TopicPartition("busy", 0), Config);
        busy.AppendCopy(TestBatch.Create(1, 1000));
        Assert.Equal(1, manager.OpenSegmentFiles);
        Assert.False(idle.IsOnDisk);
        busy.Close();
        Assert.Equal(0, manager.OpenSegmentFiles);
    }

    [Fact]
    public void A_segment_deleted_while_its_file_was_closed_by_the_budget_is_still_read_whole_and_never_recreated()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 1);
        PartitionLog log = manager.GetOrCreateLog(new TopicPartition("old", 0), Config);
        for (int i = 0; i < 30; i++) log.AppendCopy(TestBatch.Create(2, 1000 + i, valueSize: 60));
        Assert.True(log.SegmentCount > 1);
        LogReadResult located = log.Read(0, 100_000, minOneBatch: true); // a fetch that located the oldest segment
        manager.GetOrCreateLog(new TopicPartition("other", 0), Config).AppendCopy(TestBatch.Create(1, 1)); // closes old's files

        Assert.Equal(1, log.DeleteOldestSegments(s => s.BaseOffset == 0)); // renamed *.deleted, removed later
        byte[] copy = new byte[located.Length];
        Assert.Equal(located.Length, located.CopyTo(copy));
        Assert.Equal(0, TestBatch.BaseOffset(copy));
        Assert.False(File.Exists(Path.Combine(log.Directory, "00000000000000000000.log"))); // not reopened by its old name
    }
}
