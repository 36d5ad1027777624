using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Internal;

namespace Rill.Storage.Tests;

public sealed class AppendReadTests
{
    private static PartitionLog Open(TempDirectory dir, LogConfig? config = null, FakeTimeProvider? time = null)
        => PartitionLog.Open(dir.Sub("t-0"), config ?? new LogConfig(), new LogOpenOptions { Time = time ?? new FakeTimeProvider() });

    [Fact]
    public void Append_assigns_consecutive_offsets_and_reads_back_the_same_bytes()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir);
        var batches = new List<byte[]>();
        for (int i = 0; i < 3; i++)
        {
            byte[] b = TestBatch.Create(5, 1000 + i, fill: (byte)(0x41 + i));
            AppendResult r = log.Append(b);
            Assert.Equal(ErrorCode.None, r.Error);
            Assert.Equal(i * 5L, r.FirstOffset);
            Assert.Equal(i * 5L + 4, r.LastOffset);
            Assert.Equal(-1, r.LogAppendTime);
            batches.Add(b);
        }
        Assert.Equal(15, log.LogEndOffset);
        Assert.Equal(15, log.HighWatermark);
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(batches.Sum(b => b.Length), log.SizeInBytes);

        byte[] all = log.ReadBytes(0);
        Assert.Equal(TestBatch.Concat(batches.ToArray()), all);
        Assert.Equal([0L, 5L, 10L], TestBatch.BaseOffsets(all));
    }

    [Fact]
    public void Several_batches_in_one_append_get_their_own_base_offsets()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir);
        byte[] buffer = TestBatch.Concat(TestBatch.Create(2, 1), TestBatch.Create(3, 2), TestBatch.Create(1, 3));
        AppendResult r = log.Append(buffer);
        Assert.Equal((0L, 5L), (r.FirstOffset, r.LastOffset));
        Assert.Equal([0L, 2L, 5L], TestBatch.BaseOffsets(log.ReadBytes(0)));
    }

    [Fact]
    public void Read_in_the_middle_of_a_batch_returns_the_whole_batch()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir);
        log.AppendCopy(TestBatch.Create(10, 1));
        log.AppendCopy(TestBatch.Create(10, 2));
        LogReadResult r = log.Read(13, int.MaxValue, true);
        Assert.Equal(ErrorCode.None, r.Error);
        Assert.Equal(10, r.FirstBatchOffset);
        byte[] data = log.ReadBytes(13);
        Assert.Equal([10L], TestBatch.BaseOffsets(data));
    }

    [Fact]
    public void MaxBytes_returns_only_whole_batches_and_minOneBatch_returns_one_oversized_batch()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir, new LogConfig { IndexIntervalBytes = 100 });
        byte[] batch = TestBatch.Create(3, 1, valueSize: 50);
        int size = batch.Length;
        for (int i = 0; i < 10; i++) log.AppendCopy(batch);

        Assert.Equal(2 * size, log.Read(0, 2 * size + size / 2, minOneBatch: false).Length);
        Assert.Equal(2 * size, log.Read(0, 2 * size, minOneBatch: false).Length);
        Assert.Equal(7 * size, log.Read(0, 7 * size + 1, minOneBatch: true).Length);
        Assert.Equal(3 * size, log.Read(4, 3 * size + 5, minOneBatch: false).Length);
        Assert.Equal(0, log.Read(0, size - 1, minOneBatch: false).Length);
        Assert.Equal(size, log.Read(0, size - 1, minOneBatch: true).Length);
        Assert.Equal(size, log.Read(0, 0, minOneBatch: true).Length);
        Assert.Equal(10 * size, log.Read(0, int.MaxValue, minOneBatch: false).Length);
    }

    [Fact]
    public void Offsets_outside_the_log_are_OFFSET_OUT_OF_RANGE_and_the_log_end_is_empty()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir);
        log.AppendCopy(TestBatch.Create(5, 1));
        log.AppendCopy(TestBatch.Create(5, 1));
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(11, 1000, true).Error);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(-1, 1000, true).Error);
        LogReadResult atEnd = log.Read(10, 1000, true);
        Assert.Equal(ErrorCode.None, atEnd.Error);
        Assert.Equal(0, atEnd.Length);
        Assert.Equal(10, atEnd.HighWatermark);

        Assert.True(log.AdvanceLogStartOffset(5));
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(4, 1000, true).Error);
        Assert.Equal(ErrorCode.None, log.Read(5, 1000, true).Error);
        Assert.False(log.AdvanceLogStartOffset(11));
    }

    [Fact]
    public void Segments_roll_by_size_and_every_offset_stays_readable()
    {
        using var dir = new TempDirectory();
        var config = new LogConfig { SegmentBytes = 1024, IndexIntervalBytes = 128 };
        var expected = new List<long>();
        using (PartitionLog log = Open(dir, config))
        {
            for (int i = 0; i < 60; i++)
            {
                AppendResult r = log.AppendCopy(TestBatch.Create(1 + i % 4, 1000 + i, valueSize: 20 + i % 30));
                expected.Add(r.FirstOffset);
            }
            Assert.True(log.SegmentCount > 5, $"only {log.SegmentCount} segments");
            foreach (LogSegmentInfo s in log.GetSegments()) Assert.True(s.SizeInBytes <= 1024);
            Assert.Equal(expected, log.AllBatchOffsets());
            AssertEveryOffsetReadable(log);
            log.Close();
        }
        Assert.True(File.Exists(Path.Combine(dir.Sub("t-0"), "00000000000000000000.log")));
        using (PartitionLog reopened = Open(dir, config))
        {
            Assert.True(reopened.OpenedAfterCleanShutdown);
            Assert.Equal(expected, reopened.AllBatchOffsets());
            AssertEveryOffsetReadable(reopened);
        }
    }

    internal static void AssertEveryOffsetReadable(PartitionLog log)
    {
        for (long o = log.LogStartOffset; o < log.LogEndOffset; o++)
        {
            LogReadResult r = log.Read(o, 1, minOneBatch: true);
            Assert.Equal(ErrorCode.None, r.Error);
            Assert.True(r.Length > 0);
            byte[] b = new byte[r.Length];
            r.CopyTo(b);
            long baseOffset = TestBatch.BaseOffset(b);
            int lastDelta = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta));
            Assert.InRange(o, baseOffset, baseOffset + lastDelta);
            Assert.Equal(r.FirstBatchOffset, baseOffset);
        }
    }

    [Fact]
    public void Segments_roll_by_time()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = Open(dir, new LogConfig { SegmentMs = 1000 }, time);
        log.AppendCopy(TestBatch.Create(1, time.NowMs));
        time.Advance(TimeSpan.FromMilliseconds(500));
        log.AppendCopy(TestBatch.Create(1, time.NowMs));
        Assert.Equal(1, log.SegmentCount);
        time.Advance(TimeSpan.FromMilliseconds(600));
        log.AppendCopy(TestBatch.Create(1, time.NowMs));
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.GetSegments()[1].BaseOffset);
        Assert.Equal([0L, 1L, 2L], log.AllBatchOffsets());
    }

    [Fact]
    public async Task Roll_writes_a_producer_snapshot_named_by_offset()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir, new LogConfig { SegmentBytes = 300 });
        for (int i = 0; i < 5; i++) log.AppendCopy(TestBatch.Create(1, 1, valueSize: 100, producerId: 7, producerEpoch: 0, baseSequence: i));
        Assert.True(log.SegmentCount >= 2);
        await log.WhenRollsFlushed(); // the roll's snapshot is written off the append path
        Assert.NotEmpty(Directory.GetFiles(log.Directory, "*.snapshot"));
    }

    [Fact]
    public void LogAppendTime_topics_stamp_the_batch_and_keep_the_crc_valid()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = Open(dir, new LogConfig { MessageTimestampType = TimestampType.LogAppendTime }, time);
        AppendResult r = log.AppendCopy(TestBatch.Create(3, 5));
        Assert.Equal(time.NowMs, r.LogAppendTime);
        byte[] data = log.ReadBytes(0);
        Assert.Equal(time.NowMs, TestBatch.MaxTimestamp(data));
        Assert.True(Batch.IsLogAppendTime(data));
        Assert.True(Batch.CrcMatches(data));
    }

    [Fact]
    public void Oversized_and_malformed_input_is_refused_with_an_error_code()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir, new LogConfig { MaxMessageBytes = 200 });
        Assert.Equal(ErrorCode.MessageTooLarge, log.AppendCopy(TestBatch.Create(1, 1, valueSize: 300)).Error);
        byte[] bad = TestBatch.Create(1, 1);
        bad[RecordBatchLayout.Magic] = 1;
        Assert.Equal(ErrorCode.CorruptMessage, log.Append(bad).Error);
        Assert.Equal(ErrorCode.CorruptMessage, log.Append(TestBatch.Create(1, 1).AsSpan(0, 40)).Error);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task Reads_run_concurrently_with_appends()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = Open(dir, new LogConfig { SegmentBytes = 4096, IndexIntervalBytes = 256 });
        byte[] batch = TestBatch.Create(2, 1, valueSize: 40);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++) log.AppendCopy(batch);
        });
        var buffer = new byte[64 * 1024];
        while (!writer.IsCompleted)
        {
            long end = log.LogEndOffset;
            if (end == 0) continue;
            long target = Random.Shared.NextInt64(end);
            LogReadResult r = log.Read(target, 8192, true);
            Assert.Equal(ErrorCode.None, r.Error);
            int n = r.CopyTo(buffer);
            Assert.Equal(r.Length, n);
            int pos = 0;
            while (pos < n)
            {
                Assert.True(Batch.CrcMatches(buffer.AsSpan(pos, Batch.TotalSize(buffer.AsSpan(pos)))));
                pos += Batch.TotalSize(buffer.AsSpan(pos));
            }
            Assert.Equal(n, pos);
        }
        await writer;
        Assert.Equal(4000, log.LogEndOffset);
    }
}
