using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>
/// A small record batch v2 reader written for the tests from the format description (not the
/// validator's code), so built and converted batches can be checked record by record.
/// </summary>
internal static class BatchReader
{
    public sealed record Header(string Key, byte[]? Value);

    public sealed record Record(long Offset, long Timestamp, byte[]? Key, byte[]? Value, List<Header> Headers);

    public static short Attributes(byte[] batch) => BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes));

    public static void FixCrc(byte[] batch)
        => BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc), RecordBatchTests.ReferenceCrc32C(batch.AsSpan(RecordBatchLayout.Attributes)));

    public static List<Record> ReadRecords(byte[] batch)
    {
        var reader = new ProtocolReader(batch);
        long baseOffset = reader.ReadInt64();
        Assert.Equal(batch.Length - 12, reader.ReadInt32());
        reader.ReadInt32();
        Assert.Equal(2, reader.ReadInt8());
        Assert.Equal(RecordBatchTests.ReferenceCrc32C(batch.AsSpan(21)), reader.ReadUInt32());
        short attributes = reader.ReadInt16();
        int lastOffsetDelta = reader.ReadInt32();
        long baseTimestamp = reader.ReadInt64();
        long maxTimestamp = reader.ReadInt64();
        reader.ReadInt64();
        reader.ReadInt16();
        reader.ReadInt32();
        int count = reader.ReadInt32();
        byte[] body = batch[RecordBatchLayout.HeaderSize..];
        var codec = (CompressionType)(attributes & 7);
        if (codec != CompressionType.None)
        {
            var output = new ArrayBufferWriter<byte>();
            Codecs.Decompress(codec, body, output, 64 << 20);
            body = output.WrittenSpan.ToArray();
        }
        var records = new List<Record>();
        var r = new ProtocolReader(body);
        for (int i = 0; i < count; i++)
        {
            int length = r.ReadVarInt();
            int start = r.Position;
            r.ReadInt8();
            long timestamp = baseTimestamp + r.ReadVarLong();
            long offset = baseOffset + r.ReadVarInt();
            byte[]? key = Bytes(ref r);
            byte[]? value = Bytes(ref r);
            int headerCount = r.ReadVarInt();
            var headers = new List<Header>();
            for (int h = 0; h < headerCount; h++)
            {
                headers.Add(new Header(Encoding.UTF8.GetString(Bytes(ref r)!), Bytes(ref r)));
            }
            Assert.Equal(length, r.Position - start);
            records.Add(new Record(offset, timestamp, key, value, headers));
        }
        Assert.Equal(0, r.Remaining);
        Assert.Equal(count - 1, lastOffsetDelta);
        Assert.Equal(records.Max(x => x.Timestamp), maxTimestamp);
        return records;
    }

    private static byte[]? Bytes(ref ProtocolReader r)
    {
        int length = r.ReadVarInt();
        return length < 0 ? null : r.ReadRaw(length).ToArray();
    }

    public static void AssertRecords(IReadOnlyList<RecordData> expected, List<Record> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Key?.ToArray(), actual[i].Key);
            Assert.Equal(expected[i].Value?.ToArray(), actual[i].Value);
            var headers = expected[i].Headers ?? [];
            Assert.Equal(headers.Select(h => (h.Key, h.Value?.ToArray())), actual[i].Headers.Select(h => (h.Key, h.Value)));
            Assert.Equal(actual[0].Offset + i, actual[i].Offset);
        }
    }
}
