using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Rill.Storage.Tests;

/// <summary>
/// rill.log.drop.behind.bytes: appended data beyond the budget (all partitions of a log directory together) leaves
/// the page cache once written back, the newest stays cached, and everything still reads back unchanged. Residency
/// is checked with mincore on the .log files. Each append is fsynced by the test, so every page is clean by the time
/// its range is dropped (the broker starts writeback at append time and drops much later).
/// </summary>
public sealed partial class DropBehindTests
{
    private const int Mib = 1 << 20;
    private static readonly LogConfig Config = new() { SegmentBytes = 64 * Mib, MaxMessageBytes = 2 * Mib };

    private static LogManager Open(string dir, long dropBehind) =>
        LogManager.Open(dir, _ => Config, new FakeTimeProvider(), dropBehindBytes: dropBehind);

    /// <summary>Appends <paramref name="count"/> batches of one 512 KiB record and fsyncs after each.</summary>
    private static void AppendHalfMebibytes(PartitionLog log, int count, byte fill)
    {
        for (int i = 0; i < count; i++)
        {
            log.AppendCopy(TestBatch.Create(1, 1000 + i, valueSize: Mib / 2, fill: fill));
            log.Flush();
        }
    }

    [Fact]
    public void Data_beyond_the_budget_leaves_the_page_cache_and_reads_back_unchanged()
    {
        using var dir = new TempDirectory();
        var tp = new TopicPartition("t", 0);
        using LogManager manager = Open(dir.Path, 2 * Mib);
        Assert.Equal(2 * Mib, manager.DropBehindBytes);
        PartitionLog log = manager.GetOrCreateLog(tp, Config);

        AppendHalfMebibytes(log, 16, 0x41); // 8 MiB and a little: eight writeback steps, budget two

        Assert.True(manager.DroppedFromPageCacheBytes >= 5L * Mib, $"{manager.DroppedFromPageCacheBytes} bytes dropped");
        string file = Directory.GetFiles(Path.Combine(dir.Path, "t-0"), "*.log").Single();
        Assert.Equal(0, ResidentPages(file, 0, 4 * Mib));                 // the oldest: written back and dropped
        long length = new FileInfo(file).Length;
        Assert.True(ResidentPages(file, length - Mib, Mib) > 0, "the newest appended data is still cached");

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), log.AllBatchOffsets());
        byte[] first = log.ReadBytes(0);
        Assert.Equal(0x41, first[^2]); // the last value byte (before the header count): dropped pages come back from disk intact
    }

    [Fact]
    public void The_budget_is_shared_by_the_partitions_of_a_directory()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 2 * Mib);
        PartitionLog a = manager.GetOrCreateLog(new TopicPartition("t", 0), Config);
        PartitionLog b = manager.GetOrCreateLog(new TopicPartition("t", 1), Config);

        AppendHalfMebibytes(a, 8, 0x41); // 4 MiB to a: two of its four steps are over the budget
        AppendHalfMebibytes(b, 8, 0x42); // 4 MiB to b: pushes the rest of a's out

        string fileA = Directory.GetFiles(Path.Combine(dir.Path, "t-0"), "*.log").Single();
        string fileB = Directory.GetFiles(Path.Combine(dir.Path, "t-1"), "*.log").Single();
        Assert.Equal(0, ResidentPages(fileA, 0, 4 * Mib)); // dropped by b's appends
        Assert.True(ResidentPages(fileB, 3 * Mib, Mib) > 0);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), a.AllBatchOffsets());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), b.AllBatchOffsets());
    }

    [Fact]
    public void Zero_turns_it_off_and_every_appended_page_stays_cached()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 0);
        Assert.Equal(0, manager.DropBehindBytes);
        PartitionLog log = manager.GetOrCreateLog(new TopicPartition("t", 0), Config);

        AppendHalfMebibytes(log, 16, 0x41);

        Assert.Equal(0, manager.DroppedFromPageCacheBytes);
        string file = Directory.GetFiles(Path.Combine(dir.Path, "t-0"), "*.log").Single();
        Assert.Equal(4 * Mib / Environment.SystemPageSize, ResidentPages(file, 0, 4 * Mib));
    }

    [Fact]
    public void A_log_truncated_below_its_writeback_mark_drops_again_after_new_appends()
    {
        using var dir = new TempDirectory();
        using LogManager manager = Open(dir.Path, 1 * Mib);
        PartitionLog log = manager.GetOrCreateLog(new TopicPartition("t", 0), Config);
        AppendHalfMebibytes(log, 8, 0x41);
        long dropped = manager.DroppedFromPageCacheBytes;

        log.TruncateTo(2); // keeps two batches (1 MiB); the mark moves back with the size
        AppendHalfMebibytes(log, 8, 0x43);

        Assert.True(manager.DroppedFromPageCacheBytes > dropped);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), log.AllBatchOffsets());
        byte[] last = log.ReadBytes(9);
        Assert.Equal(0x43, last[^2]);
    }

    [Fact]
    public void The_default_is_256_MiB_on_a_machine_with_free_page_reporting_and_off_elsewhere()
    {
        Assert.Equal(256L << 20, Segments.DropBehind.Resolve(-1, freePageReporting: true));
        Assert.Equal(0, Segments.DropBehind.Resolve(-1, freePageReporting: false));
        Assert.Equal(0, Segments.DropBehind.Resolve(0, freePageReporting: true));
        Assert.Equal(5L << 20, Segments.DropBehind.Resolve(5L << 20, freePageReporting: false));
    }

    [Theory]
    [InlineData("0x0005", "0110010100000000", true)]   // a balloon with VIRTIO_BALLOON_F_REPORTING (bit 5)
    [InlineData("0x0005", "0110000100000000", false)]  // a balloon without it
    [InlineData("0x0002", "0110010100000000", false)]  // a block device (bit 5 means something else there)
    [InlineData(null, null, false)]                    // no virtio devices at all
    public void Free_page_reporting_is_read_from_the_virtio_balloon_features(string? id, string? features, bool expected)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "virtio9")); // a device without the files: skipped
        if (id is not null)
        {
            string device = Directory.CreateDirectory(Path.Combine(dir.Path, "virtio0")).FullName;
            File.WriteAllText(Path.Combine(device, "device"), id + "\n");
            File.WriteAllText(Path.Combine(device, "features"), features + "\n");
        }
        Assert.Equal(expected, Internal.FreePageReporting.IsActive(dir.Path));
        Assert.False(Internal.FreePageReporting.IsActive(Path.Combine(dir.Path, "missing")));
    }

    /// <summary>Pages of [offset, offset + length) of <paramref name="path"/> in the page cache (mincore).</summary>
    private static unsafe int ResidentPages(string path, long offset, long length)
    {
        long pageSize = Environment.SystemPageSize;
        length += offset % pageSize;
        offset -= offset % pageSize; // mincore takes a page-aligned address
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using MemoryMappedViewAccessor view = map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            long page = Environment.SystemPageSize;
            byte* aligned = start + view.PointerOffset; // the view's first byte: offset, which is page-aligned
            int pages = (int)((length + page - 1) / page);
            byte[] vector = new byte[pages];
            fixed (byte* v = vector)
            {
                Assert.Equal(0, MinCore((nint)aligned, (nuint)length, v));
            }
            return vector.Count(b => (b & 1) != 0);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int MinCore(nint address, nuint length, byte* vector);
}
