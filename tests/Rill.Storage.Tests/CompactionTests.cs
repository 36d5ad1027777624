using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;
using Rill.Storage.Cleaning;

namespace Rill.Storage.Tests;

/// <summary>The log cleaner (cleanup.policy=compact) on one partition log, on a fake clock.</summary>
public sealed class CompactionTests
{
    private static LogConfig Compacted(int segmentBytes = 600) => new()
    {
        SegmentBytes = segmentBytes,
        Compact = true,
        DeleteRetention = false,
        MinCleanableDirtyRatio = 0,
        DeleteRetentionMs = 60_000,
    };

    private static byte[] KeyedBatch(long ts, CompressionType codec, params (string Key, string? Value)[] records)
        => RecordBatchBuilder.Build(
            records.Select(r => new RecordData(ts, Encoding.UTF8.GetBytes(r.Key), r.Value is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(r.Value))).ToList(),
            new BatchOptions(Compression: codec));

    /// <summary>Every record from the log start, in offset order.</summary>
    internal static List<(long Offset, string Key, string? Value)> ReadAll(PartitionLog log)
    {
        var result = new List<(long, string, string?)>();
        long next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            LogReadResult r = log.Read(next, 1 << 20, minOneBatch: true);
            Assert.Equal(Rill.Protocol.ErrorCode.None, r.Error);
            if (r.Length == 0) break;
            byte[] data = new byte[r.Length];
            r.CopyTo(data);
            long last = next;
            int pos = 0;
            while (pos < data.Length)
            {
                last = TestBatch.BaseOffset(data.AsSpan(pos)) + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(pos + 23));
                pos += TestBatch.Size(data.AsSpan(pos));
            }
            foreach (StoredRecord rec in RecordEnumerator.ReadAll(data))
            {
                if (rec.Offset >= next)
                {
                    result.Add((rec.Offset, Encoding.UTF8.GetString(rec.Key!.Value.Span), rec.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null));
                }
            }
            next = last + 1;
        }
        return result;
    }

    private static CleanerStats Clean(PartitionLog log, FakeTimeProvider time)
        => log.Clean(new OffsetMap(1 << 16), new BatchFilter(), time.NowMs, CancellationToken.None);

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void The_latest_record_of_each_key_survives_with_its_offset_and_the_active_segment_is_untouched(CompressionType codec)
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), Compacted(), new LogOpenOptions { Time = time });
        var latest = new Dictionary<string, (long Offset, string Value)>();
        for (int round = 0; round < 20; round++)
        {
            var records = Enumerable.Range(0, 5).Select(k => ($"rider-{k}", (string?)$"pos-{round}-{k}")).ToArray();
            long first = log.AppendCopy(KeyedBatch(time.NowMs, codec, records)).FirstOffset;
            for (int k = 0; k < 5; k++) latest[$"rider-{k}"] = (first + k, $"pos-{round}-{k}");
        }
        Assert.True(log.SegmentCount > 2);
        var activeBefore = ReadAll(log).Where(r => r.Offset >= log.GetSegments()[^1].BaseOffset).ToList();
        long leo = log.LogEndOffset;

        Assert.True(log.IsCleanable(time.NowMs, out double ratio));
        Assert.Equal(1.0, ratio);
        CleanerStats stats = Clean(log, time);

        Assert.True(stats.BytesWritten < stats.BytesRead);
        List<(long Offset, string Key, string? Value)> after = ReadAll(log);
        long activeBase = log.GetSegments()[^1].BaseOffset;
        var cleaned = after.Where(r => r.Offset < activeBase).ToList();
        // Below the active segment at most one record per key, and it is the latest of that key there.
        Assert.Equal(cleaned.Count, cleaned.Select(r => r.Key).Distinct().Count());
        Assert.Equal(activeBefore, after.Where(r => r.Offset >= activeBase).ToList());
        foreach (var (key, (offset, value)) in latest)
        {
            Assert.Contains((offset, key, (string?)value), after);
        }
        Assert.Equal(leo, log.LogEndOffset);
        Assert.Equal(after.OrderBy(r => r.Offset).ToList(), after);
        Assert.Equal(activeBase, log.CleanerCheckpoint);
        for (long o = 0; o < leo; o++)
        {
            // An offset compacted away reads as the next batch kept, as in Kafka.
            LogReadResult r = log.Read(o, 1, minOneBatch: true);
            Assert.Equal(Rill.Protocol.ErrorCode.None, r.Error);
            Assert.True(r.Length > 0);
        }
    }

    [Fact]
    public void Tombstones_stay_for_delete_retention_ms_then_go_and_keyless_records_go()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), Compacted(), new LogOpenOptions { Time = time });
        for (int round = 0; round < 5; round++)
        {
            log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("a", $"a{round}"), ("b", $"b{round}"), ("c", $"c{round}")));
        }
        log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("b", null)));
        log.AppendCopy(TestBatch.Create(2, time.NowMs)); // keyless, as written before the topic became compacted
        for (int round = 0; round < 10; round++) log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("c", $"c-late{round}")));
        log.Roll();
        log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("z", "active")));

        Clean(log, time);
        var after = ReadAll(log);
        Assert.Equal(["a", "b", "c", "z"], after.Select(r => r.Key).Order().ToArray());
        Assert.Null(after.Single(r => r.Key == "b").Value);
        Assert.Equal("c-late9", after.Single(r => r.Key == "c").Value);

        // Not yet: the tombstone is 59 s old.
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(log.IsCleanable(time.NowMs, out _));
        // Past delete.retention.ms the kept tombstone makes the log due by itself, and goes.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(log.IsCleanable(time.NowMs, out _));
        CleanerStats stats = Clean(log, time);
        Assert.Equal(1, stats.TombstonesDropped);
        Assert.Equal(["a", "c", "z"], ReadAll(log).Select(r => r.Key).Order().ToArray());
    }

    [Fact]
    public void Min_cleanable_dirty_ratio_and_the_compaction_lags_decide_when_a_log_is_due()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"),
            Compacted() with { MinCleanableDirtyRatio = 0.9, MinCompactionLagMs = 10_000, MaxCompactionLagMs = 100_000 },
            new LogOpenOptions { Time = time });
        for (int i = 0; i < 30; i++) log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ($"k{i}", $"v{i}")));
        Assert.True(log.SegmentCount > 2);
        // Everything is younger than min.compaction.lag.ms: nothing cleanable.
        Assert.False(log.IsCleanable(time.NowMs, out _));
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(log.IsCleanable(time.NowMs, out double ratio));
        Assert.Equal(1.0, ratio);
        Assert.True(Clean(log, time).RecordsRead > 0);

        // A little new dirt is under the ratio ...
        for (int i = 0; i < 12; i++) log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("k", $"w{i}")));
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(log.IsCleanable(time.NowMs, out ratio));
        Assert.InRange(ratio, 0.01, 0.9);
        // ... until it is older than max.compaction.lag.ms.
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.True(log.IsCleanable(time.NowMs, out _));
    }

    [Fact]
    public void The_cleaned_log_reopens_identically_and_an_idempotent_producer_keeps_its_sequence()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        string path = dir.Sub("t-0");
        List<(long, string, string?)> expected;
        using (PartitionLog log = PartitionLog.Open(path, Compacted(), new LogOpenOptions { Time = time }))
        {
            for (int seq = 0; seq < 30; seq++)
            {
                byte[] batch = RecordBatchBuilder.Build([new RecordData(time.NowMs, "k"u8.ToArray(), Encoding.UTF8.GetBytes($"v{seq}"))],
                    new BatchOptions(ProducerId: 7, ProducerEpoch: 0, BaseSequence: seq));
                Assert.Equal(Rill.Protocol.ErrorCode.None, log.AppendCopy(batch).Error);
            }
            log.Roll();
            Clean(log, time);
            expected = ReadAll(log);
            Assert.Single(expected);
            log.CloseWithoutCleanShutdown();
        }
        using (PartitionLog reopened = PartitionLog.Open(path, Compacted(), new LogOpenOptions { Time = time }))
        {
            Assert.Equal(expected, ReadAll(reopened));
            byte[] next = RecordBatchBuilder.Build([new RecordData(time.NowMs, "k"u8.ToArray(), "v30"u8.ToArray())],
                new BatchOptions(ProducerId: 7, ProducerEpoch: 0, BaseSequence: 30));
            Assert.Equal(Rill.Protocol.ErrorCode.None, reopened.AppendCopy(next).Error);
            Assert.Equal(30, reopened.LogEndOffset - 1);
        }
    }

    [Fact]
    public void A_crash_leaves_either_the_old_segments_or_the_cleaned_one()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        string original = dir.Sub("orig-0");
        using (PartitionLog log = PartitionLog.Open(original, Compacted(), new LogOpenOptions { Time = time }))
        {
            for (int i = 0; i < 40; i++) log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ($"k{i % 4}", $"v{i}")));
            log.Roll();
            log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ("k0", "active")));
            log.Close();
        }
        List<(long, string, string?)> uncleaned = ReadAllAt(original, time);
        string cleanedDir = CopyDir(original, dir.Sub("cleaned-0"));
        List<(long, string, string?)> cleaned;
        // One cleaner group (segment.bytes large enough for all), so one .swap file replaces every source.
        using (PartitionLog log = PartitionLog.Open(cleanedDir, Compacted(segmentBytes: 1 << 20), new LogOpenOptions { Time = time }))
        {
            Clean(log, time);
            cleaned = ReadAll(log);
            log.Close();
        }
        string cleanedFirst = Directory.GetFiles(cleanedDir, "*.log").Order().First();

        // 1. Crash while writing: a .cleaned file is thrown away; the old segments are intact.
        string crash1 = CopyDir(original, dir.Sub("crash1-0"));
        File.Copy(cleanedFirst, Path.Combine(crash1, Path.GetFileName(cleanedFirst) + ".cleaned"));
        Assert.Equal(uncleaned, ReadAllAt(crash1, time));
        Assert.Empty(Directory.GetFiles(crash1, "*.cleaned"));

        // 2. Crash after the rename to .swap, before the sources were deleted: the swap completes.
        string crash2 = CopyDir(original, dir.Sub("crash2-0"));
        File.Copy(cleanedFirst, Path.Combine(crash2, Path.GetFileName(cleanedFirst) + ".swap"));
        Assert.Equal(cleaned, ReadAllAt(crash2, time));

        // 3. Crash half way through deleting the sources (the first one already gone).
        string crash3 = CopyDir(original, dir.Sub("crash3-0"));
        File.Delete(Path.Combine(crash3, Path.GetFileName(cleanedFirst)));
        File.Copy(cleanedFirst, Path.Combine(crash3, Path.GetFileName(cleanedFirst) + ".swap"));
        Assert.Equal(cleaned, ReadAllAt(crash3, time));
        Assert.Empty(Directory.GetFiles(crash3, "*.swap"));
    }

    private static List<(long, string, string?)> ReadAllAt(string path, FakeTimeProvider time)
    {
        using PartitionLog log = PartitionLog.Open(path, Compacted(), new LogOpenOptions { Time = time });
        return ReadAll(log);
    }

    private static string CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        return to;
    }

    [Fact]
    public void The_cleaner_loop_compacts_due_logs_and_checkpoints_how_far_it_got()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var tp = new TopicPartition("positions", 0);
        long checkpoint;
        using (LogManager logs = LogManager.Open(dir.Path, _ => Compacted(), time))
        {
            PartitionLog log = logs.GetOrCreateLog(tp, Compacted());
            logs.GetOrCreateLog(new TopicPartition("plain", 0), LogConfig.Default).AppendCopy(TestBatch.Create(3, time.NowMs));
            for (int i = 0; i < 50; i++) log.AppendCopy(KeyedBatch(time.NowMs, CompressionType.None, ($"r{i % 3}", $"v{i}")));
            var cleaner = new LogCleaner(logs, new LogCleanerOptions { BackoffMs = 10 }, time);
            CleanerStats? stats = cleaner.CleanOnce();
            Assert.NotNull(stats);
            Assert.Equal("positions-0", stats.Log);
            Assert.Null(cleaner.CleanOnce()); // nothing dirty left
            checkpoint = log.CleanerCheckpoint;
            Assert.True(checkpoint > 0);
        }
        Assert.Contains($"positions 0 {checkpoint}", File.ReadAllText(Path.Combine(dir.Path, LogManager.CleanerOffsetCheckpointFile)));
        using (LogManager logs = LogManager.Open(dir.Path, _ => Compacted(), time))
        {
            Assert.True(logs.TryGetLog(tp, out PartitionLog log));
            Assert.Equal(checkpoint, log.CleanerCheckpoint);
        }
    }
}
