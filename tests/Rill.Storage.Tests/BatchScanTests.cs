using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>
/// A fetch finds its batch by scanning batch headers forward from the sparse index entry, and measures how many
/// whole batches fit in its byte limit by the same scan; the scan reads the file in blocks
/// (<see cref="Segments.BatchHeaderReader"/>). With no index entries at all the scan crosses many blocks, with
/// headers that straddle a block's end and batches larger than a block: every offset and every byte limit must
/// still land on the right batch boundaries.
/// </summary>
public sealed class BatchScanTests
{
    private static (PartitionLog Log, List<(long Base, long Last, long Position, int Size)> Batches) Build(TempDirectory dir)
    {
        // An index interval larger than the segment: no index entries, so every lookup scans from the start.
        var config = new LogConfig { SegmentBytes = 64 * 1024 * 1024, IndexIntervalBytes = int.MaxValue };
        PartitionLog log = PartitionLog.Open(dir.Sub("t-0"), config, new LogOpenOptions { Time = new FakeTimeProvider() });
        var batches = new List<(long, long, long, int)>();
        long offset = 0, position = 0;
        var random = new Random(16);
        for (int i = 0; i < 300; i++)
        {
            // Mostly small batches (the shape that made one read per header costly), some larger than a block.
            int records = 1 + random.Next(3);
            int valueSize = i % 37 == 0 ? 6000 + random.Next(3000) : 20 + random.Next(90);
            byte[] batch = TestBatch.Create(records, 1000 + i, valueSize);
            log.AppendCopy(batch);
            batches.Add((offset, offset + records - 1, position, batch.Length));
            offset += records;
            position += batch.Length;
        }
        return (log, batches);
    }

    [Fact]
    public void Every_offset_reads_from_the_start_of_the_batch_that_holds_it()
    {
        using var dir = new TempDirectory();
        var (log, batches) = Build(dir);
        using (log)
        {
            foreach (var (baseOffset, last, position, size) in batches)
            {
                for (long o = baseOffset; o <= last; o++)
                {
                    LogReadResult r = log.Read(o, 1, minOneBatch: true);
                    Assert.Equal(ErrorCode.None, r.Error);
                    Assert.Equal((baseOffset, position, size), (r.FirstBatchOffset, r.FilePosition, r.Length));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4096)]
    [InlineData(5000)]
    [InlineData(20_000)]
    [InlineData(100_000)]
    public void A_byte_limit_returns_the_whole_batches_that_fit(int maxBytes)
    {
        using var dir = new TempDirectory();
        var (log, batches) = Build(dir);
        using (log)
        {
            for (int first = 0; first < batches.Count; first += 7)
            {
                int expected = 0;
                for (int j = first; j < batches.Count && expected + batches[j].Size <= maxBytes; j++)
                {
                    expected += batches[j].Size;
                }
                if (expected == 0)
                {
                    expected = batches[first].Size; // KIP-74: at least the first batch
                }
                long remaining = 0;
                for (int j = first; j < batches.Count; j++)
                {
                    remaining += batches[j].Size;
                }
                if (remaining <= maxBytes)
                {
                    expected = (int)remaining; // everything left fits
                }
                LogReadResult r = log.Read(batches[first].Base, maxBytes, minOneBatch: true);
                Assert.Equal((batches[first].Position, expected), (r.FilePosition, r.Length));
            }
        }
    }
}
