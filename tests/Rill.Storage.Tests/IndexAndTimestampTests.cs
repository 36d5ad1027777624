using Rill.Protocol;

namespace Rill.Storage.Tests;

public sealed class IndexAndTimestampTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 2000, IndexIntervalBytes = 150 };

    private static PartitionLog Open(string path) => PartitionLog.Open(path, Config, new LogOpenOptions { Time = new FakeTimeProvider() });

    /// <summary>Batch i holds 3 records with timestamps 1000 + 30i, +10, +20; returns the log's path.</summary>
    private static string BuildLog(TempDirectory dir, int batches = 40)
    {
        string path = dir.Sub("t-0");
        using PartitionLog log = Open(path);
        for (int i = 0; i < batches; i++)
        {
            long t = 1000 + 30 * i;
            log.AppendCopy(TestBatch.Create(3, t, valueSize: 30, timestamps: [t, t + 10, t + 20]));
        }
        log.Close();
        return path;
    }

    private static void AssertLookups(PartitionLog log, int batches = 40)
    {
        Assert.Equal(batches * 3L, log.LogEndOffset);
        AppendReadTests.AssertEveryOffsetReadable(log);
        Assert.Equal(new TimestampOffset(1000, 0), log.FindOffsetByTimestamp(0));
        Assert.Equal(new TimestampOffset(1000, 0), log.FindOffsetByTimestamp(1000));
        Assert.Equal(new TimestampOffset(1010, 1), log.FindOffsetByTimestamp(1001));
        Assert.Equal(new TimestampOffset(1020, 2), log.FindOffsetByTimestamp(1020));
        Assert.Equal(new TimestampOffset(1000 + 30 * 17 + 10, 17 * 3 + 1), log.FindOffsetByTimestamp(1000 + 30 * 17 + 5));
        Assert.Equal(new TimestampOffset(1000 + 30 * 25, 25 * 3), log.FindOffsetByTimestamp(1000 + 30 * 25 - 9));
        Assert.False(log.FindOffsetByTimestamp(1000 + 30 * batches).Found);
        Assert.Equal(new TimestampOffset(1000 + 30 * (batches - 1) + 20, batches * 3L - 1), log.FindMaxTimestamp());
    }

    [Fact]
    public void Timestamp_lookups_find_the_first_record_at_or_after_the_target()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(BuildLog(dir));
        Assert.True(log.SegmentCount > 2);
        AssertLookups(log);
    }

    [Fact]
    public void Deleted_indexes_are_rebuilt_after_a_clean_shutdown()
    {
        using var dir = new TempDirectory();
        string path = BuildLog(dir);
        long indexBytes = Directory.GetFiles(path, "*.index").Sum(f => new FileInfo(f).Length);
        Assert.True(indexBytes > 0);
        foreach (string f in Directory.GetFiles(path, "*.index")) File.Delete(f);
        foreach (string f in Directory.GetFiles(path, "*.timeindex")) File.Delete(f);

        using PartitionLog log = Open(path);
        AssertLookups(log);
        Assert.True(Directory.GetFiles(path, "*.index").Sum(f => new FileInfo(f).Length) > 0);
        Assert.True(Directory.GetFiles(path, "*.timeindex").Sum(f => new FileInfo(f).Length) > 0);
    }

    [Fact]
    public void Truncated_or_garbled_indexes_are_rebuilt()
    {
        using var dir = new TempDirectory();
        string path = BuildLog(dir);
        string[] indexes = Directory.GetFiles(path, "*.index");
        string[] timeIndexes = Directory.GetFiles(path, "*.timeindex");
        using (FileStream fs = File.Open(indexes[0], FileMode.Open)) fs.SetLength(Math.Max(0, fs.Length - 3));
        using (FileStream fs = File.Open(timeIndexes[0], FileMode.Open)) fs.SetLength(Math.Max(0, fs.Length - 5));
        // An index entry pointing far past the end of its log.
        using (FileStream fs = File.Open(indexes[1], FileMode.Append)) fs.Write([0, 0, 0, 99, 0x7F, 0, 0, 0]);
        // Time index entries going backwards.
        using (FileStream fs = File.Open(timeIndexes[1], FileMode.Append)) fs.Write(new byte[12]);

        using PartitionLog log = Open(path);
        AssertLookups(log);
        Assert.Equal(0, new FileInfo(indexes[0]).Length % 8);
        Assert.Equal(0, new FileInfo(timeIndexes[0]).Length % 12);
        Assert.Equal(0, new FileInfo(indexes[1]).Length % 8);
    }

    [Fact]
    public void Max_timestamp_is_found_when_it_is_not_in_the_last_batch()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        log.AppendCopy(TestBatch.Create(3, 100, timestamps: [100, 900, 200]));
        log.AppendCopy(TestBatch.Create(2, 300));
        Assert.Equal(new TimestampOffset(900, 1), log.FindMaxTimestamp());
        Assert.Equal(new TimestampOffset(900, 1), log.FindOffsetByTimestamp(800));
        Assert.Equal(new TimestampOffset(900, 1), log.FindOffsetByTimestamp(150));
    }

    [Fact]
    public void An_empty_log_has_no_timestamps()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir.Sub("t-0"));
        Assert.False(log.FindMaxTimestamp().Found);
        Assert.False(log.FindOffsetByTimestamp(0).Found);
        Assert.Equal(ErrorCode.None, log.Read(0, 100, true).Error);
    }
}
