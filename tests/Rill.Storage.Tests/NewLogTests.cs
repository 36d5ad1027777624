namespace Rill.Storage.Tests;

/// <summary>Opening a log in a directory that does not exist yet (a new partition): cheap, and a normal log afterwards.</summary>
public sealed class NewLogTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 1500, IndexIntervalBytes = 100 };

    private static PartitionLog Open(string path, long? logStartOffset = null)
        => PartitionLog.Open(path, Config, new LogOpenOptions { Time = new FakeTimeProvider(), LogStartOffset = logStartOffset });

    [Fact]
    public void A_new_log_creates_nothing_on_disk_until_its_first_append_and_then_only_its_segment_file()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "t-0");
        using PartitionLog log = Open(path);
        Assert.False(Directory.Exists(path));
        Assert.False(log.IsOnDisk);
        Assert.Equal(0, log.OpenSegmentFiles);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.LogStartOffset);
        Assert.True(log.OpenedAfterCleanShutdown);
        Assert.Equal(0, log.Read(0, 1000, minOneBatch: true).Length); // reading the empty log needs no file
        log.Flush(); // nothing written: nothing to sync, still nothing on disk
        Assert.False(Directory.Exists(path));

        log.AppendCopy(TestBatch.Create(2, 1000));
        Assert.Equal(["00000000000000000000.log"], Directory.GetFiles(path).Select(Path.GetFileName).Order());
        Assert.Equal(1, log.OpenSegmentFiles);
    }

    [Fact]
    public void Closing_and_reopening_a_log_never_written_leaves_nothing_on_disk()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "t-0");
        Open(path).Close();
        Assert.False(Directory.Exists(path));
        using PartitionLog reopened = Open(path);
        Assert.Equal(0, reopened.LogEndOffset);
        Assert.Equal(0, reopened.AppendCopy(TestBatch.Create(1, 1000)).FirstOffset);
    }

    [Fact]
    public void A_new_log_whose_directory_name_is_taken_by_a_file_fails_to_open()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "t-0");
        File.WriteAllText(path, "in the way");
        Assert.Throws<IOException>(() => Open(path));
    }

    [Fact]
    public void A_new_log_starting_at_an_offset_begins_there()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(Path.Combine(dir.Path, "t-0"), logStartOffset: 42);
        Assert.Equal(42, log.LogEndOffset);
        Assert.Equal(42, log.LogStartOffset);
        Assert.Equal(42, log.AppendCopy(TestBatch.Create(2, 1000)).FirstOffset);
    }

    [Fact]
    public void A_new_log_is_complete_after_a_clean_close_and_after_a_crash()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "t-0");
        using (PartitionLog log = Open(path))
        {
            for (int i = 0; i < 20; i++)
            {
                log.AppendCopy(TestBatch.Create(2, 1000 + i, valueSize: 60));
            }
            Assert.True(log.SegmentCount > 1);
            log.Close();
        }
        using (PartitionLog reopened = Open(path))
        {
            Assert.Equal(40, reopened.LogEndOffset);
            Assert.Equal(20, reopened.AllBatchOffsets().Count);
            reopened.AppendCopy(TestBatch.Create(1, 2000));
            reopened.CloseWithoutCleanShutdown();
        }
        using PartitionLog recovered = Open(path);
        Assert.False(recovered.OpenedAfterCleanShutdown);
        Assert.Equal(41, recovered.LogEndOffset);
        Assert.Equal(21, recovered.AllBatchOffsets().Count);
    }

    [Fact]
    public void A_new_log_that_crashed_before_any_flush_reopens_with_what_it_holds()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "t-0");
        using (PartitionLog log = Open(path))
        {
            log.AppendCopy(TestBatch.Create(3, 1000));
            log.CloseWithoutCleanShutdown();
        }
        using PartitionLog reopened = Open(path);
        Assert.Equal(3, reopened.LogEndOffset);
        Assert.Single(reopened.AllBatchOffsets());
    }
}
