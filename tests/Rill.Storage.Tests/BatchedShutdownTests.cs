using Rill.Protocol;
using Rill.Storage.Internal;

namespace Rill.Storage.Tests;

/// <summary>
/// LogManager.Close: every log closes with its fsyncs deferred, one file-system sync, then the clean-shutdown markers
/// and a second sync (<see cref="Durability"/>).
/// </summary>
public sealed class BatchedShutdownTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 4096 };

    private static LogManager OpenManager(string path) => LogManager.Open(path, _ => Config, new FakeTimeProvider());

    /// <summary>Partitions 0-7 get records from producer 7 (partition p: p + 1 batches), 8 and 9 stay unwritten.</summary>
    private static Dictionary<int, long> Write(LogManager manager)
    {
        var ends = new Dictionary<int, long>();
        for (int p = 0; p < 10; p++)
        {
            PartitionLog log = manager.GetOrCreateLog(new("orders", p), Config);
            for (int b = 0; p < 8 && b <= p; b++)
            {
                log.AppendCopy(TestBatch.Create(3, 1000, valueSize: 200, producerId: 7, producerEpoch: 0, baseSequence: b * 3));
            }
            ends[p] = log.LogEndOffset;
        }
        return ends;
    }

    private static void AssertReopened(string path, Dictionary<int, long> ends, bool clean)
    {
        using LogManager reopened = OpenManager(path);
        for (int p = 0; p < 10; p++)
        {
            PartitionLog log = reopened.GetOrCreateLog(new("orders", p), Config);
            Assert.Equal(ends[p], log.LogEndOffset);
            if (p < 8)
            {
                Assert.Equal(clean, log.OpenedAfterCleanShutdown);
                AppendReadTests.AssertEveryOffsetReadable(log);
                // The producer's sequence survived: its last batch again is a duplicate, the next one is in order.
                Assert.True(log.AppendCopy(TestBatch.Create(3, 1000, producerId: 7, producerEpoch: 0, baseSequence: p * 3)).IsDuplicate);
                Assert.Equal(ErrorCode.None, log.AppendCopy(TestBatch.Create(3, 1000, producerId: 7, producerEpoch: 0, baseSequence: (p + 1) * 3)).Error);
            }
        }
    }

    [Fact]
    public void Closing_the_manager_writes_one_marker_for_the_directory_and_the_next_open_trusts_it_then_deletes_it()
    {
        using var dir = new TempDirectory();
        Dictionary<int, long> ends;
        using (LogManager manager = OpenManager(dir.Path))
        {
            ends = Write(manager);
        }
        Assert.True(File.Exists(dir.Sub(LogFileNames.CleanShutdownFile)));
        for (int p = 0; p < 8; p++)
        {
            Assert.False(File.Exists(Path.Combine(dir.Sub($"orders-{p}"), LogFileNames.CleanShutdownFile)));
            Assert.Empty(Directory.GetFiles(dir.Sub($"orders-{p}"), "*.tmp"));
        }
        // Never written: still nothing on disk.
        Assert.False(Directory.Exists(dir.Sub("orders-8")));
        AssertReopened(dir.Path, ends, clean: true);

        // The open consumed the marker: a crash of that run must recover.
        using (LogManager reopened = OpenManager(dir.Path))
        {
            Assert.False(File.Exists(dir.Sub(LogFileNames.CleanShutdownFile)));
            reopened.GetOrCreateLog(new("orders", 0), Config).CloseWithoutCleanShutdown();
        }
        Assert.False(File.Exists(dir.Sub(LogFileNames.CleanShutdownFile))); // a log closed as by a crash: no marker
        using LogManager afterCrash = OpenManager(dir.Path);
        Assert.False(afterCrash.GetOrCreateLog(new("orders", 0), Config).OpenedAfterCleanShutdown);
    }

    [Fact]
    public void A_crash_after_the_closes_but_before_the_markers_recovers_every_log_by_a_scan()
    {
        using var dir = new TempDirectory();
        string crashed = dir.Sub("crashed");
        Dictionary<int, long> ends;
        LogManager manager = OpenManager(dir.Sub("data"));
        ends = Write(manager);
        // The first half of the batched close, as LogManager.Close runs it, then a copy: what a crash at that moment leaves.
        for (int p = 0; p < 10; p++)
        {
            using (Durability.Defer())
            {
                manager.GetOrCreateLog(new("orders", p), Config).CloseBeforeMarker();
            }
        }
        RecoveryTests.CopyDirectory(dir.Sub("data"), crashed);
        foreach (string partition in Directory.GetDirectories(dir.Sub("data")))
        {
            RecoveryTests.CopyDirectory(partition, Path.Combine(crashed, Path.GetFileName(partition)));
        }
        manager.Close();
        AssertReopened(crashed, ends, clean: false);
    }

    [Fact]
    public void Deferred_fsyncs_are_per_thread_and_scopes_nest()
    {
        Assert.False(Durability.Deferred);
        using (Durability.Defer())
        {
            Assert.True(Durability.Deferred);
            using (Durability.Defer())
            {
                Assert.True(Durability.Deferred);
            }
            Assert.True(Durability.Deferred);
            bool other = true;
            var thread = new Thread(() => other = Durability.Deferred);
            thread.Start();
            thread.Join();
            Assert.False(other);
        }
        Assert.False(Durability.Deferred);
    }

    [Fact]
    public void The_file_system_sync_reports_a_directory_it_cannot_open()
    {
        using var dir = new TempDirectory();
        Assert.Equal(OperatingSystem.IsLinux(), Durability.SyncFileSystem(dir.Path));
        Assert.False(Durability.SyncFileSystem(dir.Sub("missing")));
    }
}
