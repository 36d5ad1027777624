namespace Rill.Storage.Tests;

/// <summary>Reads copy into buffers rented from the caller's <see cref="IReadBufferSource"/>.</summary>
public sealed class ReadBufferSourceTests
{
    private sealed class CountingSource : IReadBufferSource
    {
        public List<int> Requests { get; } = [];

        public byte[] RentReadBuffer(int minimumLength)
        {
            Requests.Add(minimumLength);
            return new byte[minimumLength + 7];
        }
    }

    [Fact]
    public void A_read_rents_one_buffer_of_its_length_and_an_empty_read_rents_none()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), LogConfig.Default, new LogOpenOptions { Time = time });
        byte[] batch = TestBatch.Create(3, time.NowMs);
        log.AppendCopy(batch);
        var source = new CountingSource();

        ReadOnlyMemory<byte> data = log.Read(0, 1 << 20, true).CopyTo(source);
        Assert.Equal([batch.Length], source.Requests);
        Assert.Equal(batch.Length, data.Length);
        Assert.Equal(0, TestBatch.BaseOffset(data.Span));

        Assert.True(log.Read(log.LogEndOffset, 1 << 20, true).CopyTo(source).IsEmpty);
        Assert.Single(source.Requests);
    }

    [Fact]
    public void A_read_of_a_segment_closed_in_between_is_empty()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        using PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), new LogConfig { SegmentBytes = 200, FileDeleteDelayMs = 0 },
            new LogOpenOptions { Time = time });
        for (int i = 0; i < 6; i++) log.AppendCopy(TestBatch.Create(1, time.NowMs, valueSize: 60));
        LogReadResult located = log.Read(0, 1 << 20, true);
        Assert.True(log.AdvanceLogStartOffset(log.LogEndOffset));
        Assert.True(located.CopyTo(new CountingSource()).IsEmpty);
    }
}
