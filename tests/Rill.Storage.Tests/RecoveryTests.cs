using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Storage.Tests;

public sealed class RecoveryTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 1500, IndexIntervalBytes = 100 };

    private static PartitionLog Open(string path, long recoveryPoint = 0)
        => PartitionLog.Open(path, Config, new LogOpenOptions { Time = new FakeTimeProvider(), RecoveryPoint = recoveryPoint });

    /// <summary>Builds a two-or-more-segment log, "crashes" it and returns the active segment's batch boundaries.</summary>
    private static (string ActiveLog, List<long> Boundaries, List<long> BaseOffsets) BuildCrashedLog(string path)
    {
        using PartitionLog log = Open(path);
        int i = 0, afterRoll = -1;
        while (afterRoll < 5)
        {
            log.AppendCopy(TestBatch.Create(1 + i % 3, 1000 + i * 10, valueSize: 40 + i % 10, producerId: 9, producerEpoch: 0,
                baseSequence: BaseSeq(i)));
            i++;
            if (afterRoll >= 0 || log.SegmentCount == 2) afterRoll++;
        }
        Assert.Equal(2, log.SegmentCount);
        LogSegmentInfo active = log.GetSegments()[^1];
        log.CloseWithoutCleanShutdown();

        string activeLog = Path.Combine(path, LogFileNames.BaseName(active.BaseOffset) + ".log");
        byte[] data = File.ReadAllBytes(activeLog);
        var boundaries = new List<long> { 0 };
        var bases = new List<long>();
        int pos = 0;
        while (pos < data.Length)
        {
            bases.Add(TestBatch.BaseOffset(data.AsSpan(pos)));
            pos += TestBatch.Size(data.AsSpan(pos));
            boundaries.Add(pos);
        }
        Assert.True(bases.Count >= 4, "the active segment should hold several batches");
        bases.Add(active.EndOffset);
        return (activeLog, boundaries, bases);
    }

    private static int BaseSeq(int i)
    {
        int seq = 0;
        for (int j = 0; j < i; j++) seq += 1 + j % 3;
        return seq;
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    [Fact]
    public void Truncating_the_active_segment_at_every_byte_of_its_last_batches_keeps_exactly_the_whole_batches()
    {
        using var dir = new TempDirectory();
        string source = dir.Sub("src-0");
        (string activeLog, List<long> boundaries, List<long> bases) = BuildCrashedLog(source);
        byte[] original = File.ReadAllBytes(activeLog);
        long activeBase = bases[0];
        int firstCut = (int)boundaries[^4];

        for (int cut = firstCut; cut <= original.Length; cut++)
        {
            string copy = dir.Sub($"cut{cut}-0");
            CopyDirectory(source, copy);
            string copiedLog = Path.Combine(copy, Path.GetFileName(activeLog));
            using (FileStream fs = File.Open(copiedLog, FileMode.Open)) fs.SetLength(cut);

            int kept = boundaries.FindLastIndex(b => b <= cut);
            long expectedEnd = bases[kept];
            // Alternate between full recovery and recovery from a checkpointed recovery point.
            using (PartitionLog log = Open(copy, recoveryPoint: cut % 2 == 0 ? 0 : activeBase))
            {
                Assert.False(log.OpenedAfterCleanShutdown);
                Assert.Equal(expectedEnd, log.LogEndOffset);
                Assert.Equal(boundaries[kept], new FileInfo(copiedLog).Length);
                if (expectedEnd > activeBase)
                {
                    Assert.Equal(original.AsSpan(0, (int)boundaries[kept]).ToArray(), log.ReadBytes(activeBase));
                }
                AssertIndexesConsistent(copy, activeBase, boundaries.GetRange(0, kept + 1), expectedEnd);
                AppendReadTests.AssertEveryOffsetReadable(log);

                // The log goes on from the recovered end, and the producer state matches what was kept.
                AppendResult next = log.AppendCopy(TestBatch.Create(1, 5000));
                Assert.Equal(expectedEnd, next.FirstOffset);
            }
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The .index and .timeindex of a recovered segment point only at kept batch boundaries and offsets.</summary>
    private static void AssertIndexesConsistent(string dir, long baseOffset, List<long> boundaries, long endOffset)
    {
        byte[] index = File.ReadAllBytes(Path.Combine(dir, LogFileNames.BaseName(baseOffset) + ".index"));
        Assert.Equal(0, index.Length % 8);
        int prev = -1;
        for (int i = 0; i < index.Length; i += 8)
        {
            int rel = BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(i));
            int position = BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(i + 4));
            Assert.Contains((long)position, boundaries.GetRange(0, boundaries.Count - 1));
            Assert.True(baseOffset + rel < endOffset);
            Assert.True(position > prev);
            prev = position;
        }
        byte[] timeIndex = File.ReadAllBytes(Path.Combine(dir, LogFileNames.BaseName(baseOffset) + ".timeindex"));
        Assert.Equal(0, timeIndex.Length % 12);
        long prevTs = -1;
        for (int i = 0; i < timeIndex.Length; i += 12)
        {
            long ts = BinaryPrimitives.ReadInt64BigEndian(timeIndex.AsSpan(i));
            int rel = BinaryPrimitives.ReadInt32BigEndian(timeIndex.AsSpan(i + 8));
            Assert.True(ts > prevTs);
            Assert.True(baseOffset + rel < endOffset);
            prevTs = ts;
        }
    }

    [Fact]
    public void Garbage_after_the_last_batch_is_cut_off()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        (string activeLog, _, List<long> bases) = BuildCrashedLog(path);
        long length = new FileInfo(activeLog).Length;
        using (FileStream fs = File.Open(activeLog, FileMode.Append))
        {
            byte[] garbage = new byte[777];
            new Random(42).NextBytes(garbage);
            fs.Write(garbage);
        }
        using PartitionLog log = Open(path);
        Assert.Equal(bases[^1], log.LogEndOffset);
        Assert.Equal(length, new FileInfo(activeLog).Length);
        AppendReadTests.AssertEveryOffsetReadable(log);
    }

    [Fact]
    public void Zeroes_after_the_last_batch_are_cut_off()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        (string activeLog, _, List<long> bases) = BuildCrashedLog(path);
        long length = new FileInfo(activeLog).Length;
        using (FileStream fs = File.Open(activeLog, FileMode.Open)) fs.SetLength(length + 4096);
        using PartitionLog log = Open(path);
        Assert.Equal(bases[^1], log.LogEndOffset);
        Assert.Equal(length, new FileInfo(activeLog).Length);
    }

    [Fact]
    public void A_flipped_byte_in_the_last_batch_truncates_the_log_at_that_batch()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        (string activeLog, List<long> boundaries, List<long> bases) = BuildCrashedLog(path);
        byte[] data = File.ReadAllBytes(activeLog);
        int lastStart = (int)boundaries[^2];
        data[lastStart + RecordBatchLayout.HeaderSize + 5] ^= 0x10;
        File.WriteAllBytes(activeLog, data);

        using PartitionLog log = Open(path);
        Assert.Equal(bases[^2], log.LogEndOffset);
        Assert.Equal(lastStart, new FileInfo(activeLog).Length);
    }

    [Fact]
    public void A_corrupt_batch_in_an_older_segment_drops_everything_after_it()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        BuildCrashedLog(path);
        string firstLog = Path.Combine(path, LogFileNames.BaseName(0) + ".log");
        byte[] data = File.ReadAllBytes(firstLog);
        int second = TestBatch.Size(data);
        data[second + RecordBatchLayout.HeaderSize + 1] ^= 0xFF;
        File.WriteAllBytes(firstLog, data);

        using PartitionLog log = Open(path);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(TestBatch.BaseOffset(data.AsSpan(second)), log.LogEndOffset);
    }

    [Fact]
    public void A_clean_shutdown_skips_recovery_and_keeps_everything()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        long end;
        using (PartitionLog log = Open(path))
        {
            for (int i = 0; i < 30; i++) log.AppendCopy(TestBatch.Create(2, 100 + i, valueSize: 30));
            end = log.LogEndOffset;
            log.Close();
        }
        Assert.True(File.Exists(Path.Combine(path, LogFileNames.CleanShutdownFile)));
        using (PartitionLog log = Open(path))
        {
            Assert.True(log.OpenedAfterCleanShutdown);
            Assert.Equal(end, log.LogEndOffset);
            Assert.False(File.Exists(Path.Combine(path, LogFileNames.CleanShutdownFile)));
            AppendReadTests.AssertEveryOffsetReadable(log);
        }
    }

    [Fact]
    public void Unclean_reopen_of_an_intact_log_keeps_everything()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("t-0");
        (_, _, List<long> bases) = BuildCrashedLog(path);
        using PartitionLog log = Open(path);
        Assert.Equal(bases[^1], log.LogEndOffset);
        Assert.Equal(ErrorCode.None, log.Read(0, 100, true).Error);
    }
}
