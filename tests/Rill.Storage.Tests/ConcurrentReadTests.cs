using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>A reader following the log's tail while it is appended to, as a caught-up consumer does.</summary>
public sealed class ConcurrentReadTests
{
    [Fact]
    public async Task A_reader_at_the_tail_never_gets_out_of_range_and_the_high_watermark_covers_what_it_read()
    {
        using var dir = new TempDirectory();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 64 * 1024 });
        const int Batches = 20_000;
        byte[] batch = TestBatch.Create(1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), valueSize: 10);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < Batches; i++) log.AppendCopy(batch);
        });
        long next = 0;
        byte[] buffer = new byte[64 * 1024];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (next < Batches && DateTime.UtcNow < deadline)
        {
            LogReadResult read = log.Read(next, buffer.Length, minOneBatch: true);
            Assert.Equal(ErrorCode.None, read.Error);
            if (read.Length == 0) continue;
            int copied = read.CopyTo(buffer);
            int pos = 0;
            long last = next - 1;
            while (pos < copied)
            {
                last = TestBatch.BaseOffset(buffer.AsSpan(pos)) + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(pos + 23));
                pos += TestBatch.Size(buffer.AsSpan(pos));
            }
            Assert.True(read.HighWatermark > last, $"high watermark {read.HighWatermark} below the offset {last} it returned");
            next = last + 1;
        }
        await writer;
        Assert.Equal(Batches, next);
    }
}
