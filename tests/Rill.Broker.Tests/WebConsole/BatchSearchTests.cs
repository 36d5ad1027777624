using System.Text;
using Rill.Broker.WebConsole;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests.WebConsole;

/// <summary>The search prefilter: which batches of one read hold the bytes, decompressed and searched in parallel; control batches never match.</summary>
public class BatchSearchTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.Snappy)]
    public void Finds_exactly_the_batches_holding_the_bytes(CompressionType compression)
    {
        var parts = new List<byte[]>();
        for (int b = 0; b < 24; b++)
        {
            var records = Enumerable.Range(0, 50).Select(i => new RecordData(1_000 + i, null,
                Encoding.UTF8.GetBytes(b is 5 or 17 && i == 33 ? "value-with-the-needle-inside" : $"value-{b}-{i}-{new string('x', 200)}"), [])).ToList();
            parts.Add(RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: b * 50L, Compression: compression)));
        }
        // A control batch whose bytes happen to contain the needle must not count (the browser skips control batches).
        parts.Add(RecordBatchBuilder.Build([new RecordData(0, Encoding.UTF8.GetBytes("the-needle"), Encoding.UTF8.GetBytes("the-needle"), [])],
            new BatchOptions(BaseOffset: 24 * 50L, Control: true)));
        byte[] buffer = parts.SelectMany(p => p).ToArray();
        var batches = StoredRecordReader.Batches(buffer).ToList();
        Assert.Equal(25, batches.Count);

        bool[] hits = BatchSearch.FindBatches(buffer, batches, Encoding.UTF8.GetBytes("the-needle"));

        Assert.Equal([5, 17], Enumerable.Range(0, hits.Length).Where(i => hits[i]));
        Assert.All(BatchSearch.FindBatches(buffer, batches, Encoding.UTF8.GetBytes("nowhere-to-be-found")), Assert.False);
    }
}
