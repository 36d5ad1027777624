namespace Rill.Storage.Tests;

/// <summary>
/// preallocate / log.preallocate: a new segment reserves segment.bytes of disk when its file is created, keeps the
/// file's length that of its data, and gives the unused blocks back when it stops being the active segment (roll,
/// close, and after a crash at its next roll). Allocated space is read with <c>stat</c> (blocks x block size).
/// </summary>
public sealed class PreallocateTests
{
    private const int Mib = 1 << 20;

    private static LogConfig Config(bool preallocate) => new() { SegmentBytes = 8 * Mib, Preallocate = preallocate };

    private static LogManager Open(string dir, bool preallocate) =>
        LogManager.Open(dir, _ => Config(preallocate), new FakeTimeProvider(), dropBehindBytes: 0);

    [Fact]
    public void A_new_segment_reserves_segment_bytes_and_gives_back_what_it_did_not_use_at_roll_and_close()
    {
        using var dir = new TempDirectory();
        string partition = Path.Combine(dir.Path, "t-0");
        using (LogManager manager = Open(dir.Path, preallocate: true))
        {
            PartitionLog log = TenRecords(manager, preallocate: true);
            string first = LogFile(partition, 0);
            long length = new FileInfo(first).Length;
            Assert.True(length < 4096, $"length {length}");                  // the file's length is its data
            Assert.True(DiskUsage.Allocated(first) >= 8 * Mib, $"{DiskUsage.Allocated(first)} bytes allocated"); // the blocks are reserved

            log.Roll();
            Assert.True(DiskUsage.Allocated(first) <= 4096, $"{DiskUsage.Allocated(first)} bytes allocated after the roll");
            string second = LogFile(partition, 10);
            Assert.True(DiskUsage.Allocated(second) >= 8 * Mib, "the new active segment reserves its blocks at the roll");

            log.AppendCopy(TestBatch.Create(5, 2000));
            manager.Close();
            Assert.True(DiskUsage.Allocated(second) <= 4096, $"{DiskUsage.Allocated(second)} bytes allocated after the close");
        }

        using LogManager reopened = Open(dir.Path, preallocate: true);
        PartitionLog again = reopened.GetOrCreateLog(Partition, Config(true));
        Assert.Equal([0L, 10L], again.AllBatchOffsets());
        Assert.Equal(15, again.LogEndOffset);
    }

    [Fact]
    public void Without_it_a_segment_holds_only_the_blocks_of_its_data()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, preallocate: false);
        PartitionLog log = TenRecords(manager, preallocate: false);
        log.Flush(); // delayed allocation: the blocks exist once written back
        Assert.True(DiskUsage.Allocated(LogFile(Path.Combine(dir.Path, "t-0"), 0)) <= 4096);
    }

    [Fact]
    public void A_segment_left_reserved_by_a_crash_gives_its_blocks_back_at_its_roll()
    {
        using var dir = new TempDirectory();
        string partition = Path.Combine(dir.Path, "t-0");
        using (LogManager manager = Open(dir.Path, preallocate: true))
        {
            PartitionLog log = TenRecords(manager, preallocate: true);
            log.Flush();
            log.CloseWithoutCleanShutdown();
        }
        string first = LogFile(partition, 0);
        Assert.True(DiskUsage.Allocated(first) >= 8 * Mib);

        using LogManager reopened = Open(dir.Path, preallocate: true);
        PartitionLog again = reopened.GetOrCreateLog(Partition, Config(true));
        Assert.Equal(10, again.LogEndOffset);
        again.Roll();
        Assert.True(DiskUsage.Allocated(first) <= 4096, $"{DiskUsage.Allocated(first)} bytes allocated after the roll");
        Assert.Equal([0L], again.AllBatchOffsets());
    }

    private static readonly TopicPartition Partition = new("t", 0);

    /// <summary>The log of t-0 with one batch of ten records at offset 0.</summary>
    private static PartitionLog TenRecords(LogManager manager, bool preallocate)
    {
        PartitionLog log = manager.GetOrCreateLog(Partition, Config(preallocate));
        log.AppendCopy(TestBatch.Create(10, 1000));
        return log;
    }

    private static string LogFile(string partition, long baseOffset) => Path.Combine(partition, $"{baseOffset:D20}.log");
}
