using System.Text;
using Rill.Broker.WebConsole;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests.WebConsole;

/// <summary>The message browser's record reader: offsets, timestamps, keys, values and headers out of stored batches, compressed or not.</summary>
public class StoredRecordReaderTests
{
    private static ReadOnlyMemory<byte>? Bytes(string? text) => text is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(text);

    private static RecordData Record(long timestamp, string? key, string? value, params (string, string?)[] headers) => new(timestamp,
        Bytes(key), Bytes(value), headers.Select(h => new KeyValuePair<string, ReadOnlyMemory<byte>?>(h.Item1, Bytes(h.Item2))).ToList());

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Reads_every_field_of_every_record_and_finds_bytes_in_the_records_section(CompressionType compression)
    {
        byte[] first = RecordBatchBuilder.Build([Record(1_000, "k0", "{\"a\":1}", ("trace", "t-1"), ("empty", null)), Record(1_005, null, "plain")],
            new BatchOptions(BaseOffset: 40, Compression: compression));
        byte[] second = RecordBatchBuilder.Build([Record(2_000, "k2", null)], new BatchOptions(BaseOffset: 42, Compression: compression));
        byte[] buffer = [.. first, .. second, .. first.AsSpan(0, 20)]; // a partial batch at the end is not returned

        var batches = StoredRecordReader.Batches(buffer).ToList();
        Assert.Equal([(0, first.Length, 40L, 41L), (first.Length, second.Length, 42L, 42L)], batches);

        var records = new List<BrowsedRecord>();
        foreach (var (position, length, _, _) in batches)
        {
            ReadOnlyMemory<byte> batch = buffer.AsMemory(position, length);
            // A decompressed body lives in its scratch buffer until the next Body call on it: one per batch kept here.
            ReadOnlyMemory<byte> body = StoredRecordReader.Body(batch, new System.Buffers.ArrayBufferWriter<byte>());
            StoredRecordReader.Read(batch, records, body);
        }
        Assert.Equal([40L, 41L, 42L], records.Select(r => r.Offset));
        Assert.Equal([1_000L, 1_005L, 2_000L], records.Select(r => r.Timestamp));
        Assert.Equal("k0", Encoding.UTF8.GetString(records[0].Key!.Value.Span));
        Assert.Null(records[1].Key);
        Assert.Equal("plain", Encoding.UTF8.GetString(records[1].Value!.Value.Span));
        Assert.Null(records[2].Value);
        Assert.Equal(["trace", "empty"], records[0].Headers.Select(h => h.Key));
        Assert.Equal("t-1", Encoding.UTF8.GetString(records[0].Headers[0].Value!.Value.Span));
        Assert.Null(records[0].Headers[1].Value);
        Assert.Empty(records[1].Headers);

        // What the search tests before decoding: the (decompressed) records section holds the bytes or not.
        ReadOnlyMemory<byte> firstBody = StoredRecordReader.Body(first, new System.Buffers.ArrayBufferWriter<byte>());
        Assert.True(firstBody.Span.IndexOf("plain"u8) >= 0);
        Assert.True(firstBody.Span.IndexOf("absent"u8) < 0);
        Assert.False(StoredRecordReader.IsControl(first));
    }

    [Fact]
    public void Control_batches_hold_no_messages()
    {
        byte[] marker = RecordBatchBuilder.Build([Record(1, "\0\0\0\0", "\0\0\0\0\0\0")], new BatchOptions(BaseOffset: 7, Control: true, Transactional: true, ProducerId: 3, ProducerEpoch: 0));
        Assert.True(StoredRecordReader.IsControl(marker));
        var records = new List<BrowsedRecord>();
        StoredRecordReader.Read(marker, records);
        Assert.Empty(records);
    }
}
