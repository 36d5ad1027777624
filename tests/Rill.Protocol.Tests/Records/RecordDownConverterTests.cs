using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>Stored magic-2 batches down-converted to legacy message sets for Fetch v0-3.</summary>
public class RecordDownConverterTests
{
    private static readonly KeyValuePair<string, ReadOnlyMemory<byte>?>[] Header = [new("h", (ReadOnlyMemory<byte>?)"x"u8.ToArray())];

    private static RecordData R(long timestamp, string? key, string? value, bool header = false) =>
        new(timestamp, Bytes(key), Bytes(value), header ? Header : null);

    // (ReadOnlyMemory<byte>?)(byte[]?)null would be an empty memory, not null: convert explicitly.
    private static ReadOnlyMemory<byte>? Bytes(string? s) => s is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(s);

    private static readonly RecordData[] Two = [R(1000, "k", "v1", header: true), R(1005, null, "v2")];

    private static (byte[] Bytes, DownConversion Result) Convert(byte[] batches, long fetchOffset, byte magic,
        int limit = int.MaxValue, bool firstWhole = false, bool partialFirst = false)
    {
        var output = new ArrayBufferWriter<byte>();
        DownConversion result = RecordDownConverter.Convert(batches, fetchOffset, magic, limit, firstWhole, partialFirst, output);
        Assert.Equal(result.Bytes, output.WrittenCount);
        return (output.WrittenSpan.ToArray(), result);
    }

    /// <summary>CRC-32 (IEEE, reflected 0xEDB88320) bit by bit, independent of Rill's table version.</summary>
    private static uint ReferenceCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }
        return ~crc;
    }

    [Fact]
    public void Reference_crc32_matches_the_standard_check_value() => Assert.Equal(0xCBF43926u, ReferenceCrc32("123456789"u8));

    /// <summary>Expected legacy message, written from the format description: offset, size, crc, magic, attributes, [timestamp], key, value.</summary>
    private static byte[] Message(long offset, byte magic, byte attributes, long timestamp, byte[]? key, byte[]? value)
    {
        var body = new List<byte> { magic, attributes };
        if (magic == 1)
        {
            body.AddRange(BigEndian(timestamp));
        }
        foreach (byte[]? part in new[] { key, value })
        {
            body.AddRange(BigEndian(part is null ? -1 : part.Length));
            body.AddRange(part ?? []);
        }
        var message = new List<byte>();
        message.AddRange(BigEndian(offset));
        message.AddRange(BigEndian(body.Count + 4));
        message.AddRange(BigEndian((int)ReferenceCrc32(body.ToArray())));
        message.AddRange(body);
        return message.ToArray();
    }

    private static byte[] BigEndian(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64BigEndian(b, v); return b; }
    private static byte[] BigEndian(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); return b; }

    [Fact]
    public void Magic_1_messages_carry_offsets_timestamps_keys_values_and_a_valid_crc_but_no_headers()
    {
        byte[] batch = RecordBatchBuilder.Build(Two, new BatchOptions(BaseOffset: 100));
        var (bytes, result) = Convert(batch, 100, magic: 1);
        byte[] expected = [.. Message(100, 1, 0, 1000, "k"u8.ToArray(), "v1"u8.ToArray()), .. Message(101, 1, 0, 1005, null, "v2"u8.ToArray())];
        Assert.Equal(expected, bytes);
        Assert.Equal(new DownConversion(expected.Length, 2, false), result);
        Assert.Equal(2 * RecordDownConverter.MessageOverheadV1 + 1 + 2 + 2, expected.Length);
    }

    [Fact]
    public void Magic_0_messages_have_no_timestamp()
    {
        byte[] batch = RecordBatchBuilder.Build(Two, new BatchOptions(BaseOffset: 7));
        var (bytes, _) = Convert(batch, 0, magic: 0);
        byte[] expected = [.. Message(7, 0, 0, 0, "k"u8.ToArray(), "v1"u8.ToArray()), .. Message(8, 0, 0, 0, null, "v2"u8.ToArray())];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_null_value_and_an_empty_key_stay_distinct()
    {
        byte[] batch = RecordBatchBuilder.Build([R(5, "", null)], new BatchOptions(BaseOffset: 0));
        var (bytes, _) = Convert(batch, 0, magic: 1);
        Assert.Equal(Message(0, 1, 0, 5, [], null), bytes);
    }

    [Theory]
    [MemberData(nameof(RecordBatchTests.AllCodecs), MemberType = typeof(RecordBatchTests))]
    public void Compressed_batches_become_the_same_uncompressed_messages(CompressionType codec)
    {
        var records = Enumerable.Range(0, 50).Select(i => R(2000 + i, i % 3 == 0 ? null : $"key-{i}", $"value-{i}-" + new string('z', i))).ToArray();
        byte[] plain = RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: 10));
        byte[] compressed = RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: 10, Compression: codec));
        var (expected, _) = Convert(plain, 0, magic: 1);
        var (actual, result) = Convert(compressed, 0, magic: 1);
        Assert.Equal(expected, actual);
        Assert.Equal(50, result.Messages);
    }

    [Fact]
    public void Converted_messages_read_back_through_the_legacy_produce_path()
    {
        var records = Enumerable.Range(0, 20).Select(i => R(3000 + i, $"k{i}", $"v{i}")).ToArray();
        byte[] batch = RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: 0, Compression: CompressionType.Gzip));
        var (bytes, _) = Convert(batch, 0, magic: 1);
        Assert.True(LegacyMessageSetConverter.TryConvert(bytes, out byte[]? back, out string? error), error);
        BatchReader.AssertRecords(records, BatchReader.ReadRecords(back!));
    }

    [Fact]
    public void Control_batches_and_records_before_the_fetch_offset_are_dropped()
    {
        byte[] first = RecordBatchBuilder.Build([R(1, "a", "1"), R(2, "b", "2"), R(3, "c", "3")], new BatchOptions(BaseOffset: 0));
        byte[] control = RecordBatchBuilder.Build([R(4, "\0\0\0\0", "\0\0\0\0\0\0")], new BatchOptions(BaseOffset: 3, Control: true, Transactional: true, ProducerId: 1, ProducerEpoch: 0));
        byte[] last = RecordBatchBuilder.Build([R(5, "d", "4")], new BatchOptions(BaseOffset: 4));
        var (bytes, result) = Convert([.. first, .. control, .. last], fetchOffset: 2, magic: 1);
        byte[] expected = [.. Message(2, 1, 0, 3, "c"u8.ToArray(), "3"u8.ToArray()), .. Message(4, 1, 0, 5, "d"u8.ToArray(), "4"u8.ToArray())];
        Assert.Equal(expected, bytes);
        Assert.Equal(2, result.Messages);
    }

    [Fact]
    public void Log_append_time_batches_give_every_message_the_batch_time_and_the_timestamp_type_bit()
    {
        byte[] batch = RecordBatchBuilder.Build([R(10, "a", "1"), R(20, "b", "2")], new BatchOptions(BaseOffset: 0, LogAppendTime: true));
        // the broker stamps LogAppendTime batches by writing the append time into MaxTimestamp
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.MaxTimestamp), 99_000);
        BatchReader.FixCrc(batch);
        var (bytes, _) = Convert(batch, 0, magic: 1);
        byte[] expected = [.. Message(0, 1, 0x08, 99_000, "a"u8.ToArray(), "1"u8.ToArray()), .. Message(1, 1, 0x08, 99_000, "b"u8.ToArray(), "2"u8.ToArray())];
        Assert.Equal(expected, bytes);
        var (magic0, _) = Convert(batch, 0, magic: 0);
        Assert.Equal([.. Message(0, 0, 0, 0, "a"u8.ToArray(), "1"u8.ToArray()), .. Message(1, 0, 0, 0, "b"u8.ToArray(), "2"u8.ToArray())], magic0);
    }

    [Fact]
    public void The_limit_keeps_whole_messages_only()
    {
        byte[] batch = RecordBatchBuilder.Build(Two, new BatchOptions(BaseOffset: 0));
        byte[] one = Message(0, 1, 0, 1000, "k"u8.ToArray(), "v1"u8.ToArray());
        var (bytes, result) = Convert(batch, 0, magic: 1, limit: one.Length + 5, partialFirst: true);
        Assert.Equal(one, bytes);
        Assert.Equal(new DownConversion(one.Length, 1, false), result);
    }

    [Fact]
    public void A_first_message_larger_than_the_limit_is_partial_whole_or_absent_as_asked()
    {
        byte[] batch = RecordBatchBuilder.Build([R(1, "big", new string('B', 500)), R(2, "s", "s")], new BatchOptions(BaseOffset: 0));
        byte[] big = Message(0, 0, 0, 0, "big"u8.ToArray(), Encoding.ASCII.GetBytes(new string('B', 500)));

        var (partial, partialResult) = Convert(batch, 0, magic: 0, limit: 100, partialFirst: true);
        Assert.Equal(big.AsSpan(0, 100).ToArray(), partial);
        Assert.Equal(new DownConversion(100, 0, true), partialResult);
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(partial.AsSpan(8)) > partial.Length - 12, "the size says more than is there");

        var (whole, wholeResult) = Convert(batch, 0, magic: 0, limit: 100, firstWhole: true);
        Assert.Equal(big, whole);
        Assert.Equal(new DownConversion(big.Length, 1, false), wholeResult);

        var (none, noneResult) = Convert(batch, 0, magic: 0, limit: 100);
        Assert.Empty(none);
        Assert.Equal(default, noneResult);
    }

    [Fact]
    public void A_malformed_stored_record_is_reported_not_skipped()
    {
        byte[] batch = RecordBatchBuilder.Build(Two, new BatchOptions(BaseOffset: 0));
        batch[RecordBatchLayout.HeaderSize] = 0x7F; // first record's length varint: 63 bytes, past the end
        Assert.Throws<InvalidDataException>(() => Convert(batch, 0, magic: 1));
    }

    [Fact]
    public void Corrupt_stored_records_fail_only_with_InvalidDataException_whatever_byte_is_damaged()
    {
        // Records inside compressed batches of non-compacted topics are not walked at produce time,
        // so the converter must stay in bounds on any content. Every byte of the records area, two ways.
        byte[] original = RecordBatchBuilder.Build([R(1, "key", "value", header: true), R(2, null, "v"), R(3, "k", null)]);
        for (int i = RecordBatchLayout.HeaderSize; i < original.Length; i++)
        {
            foreach (byte value in new byte[] { 0xFF, 0x7F, 0x00, 0x01 })
            {
                byte[] batch = (byte[])original.Clone();
                batch[i] = value;
                try
                {
                    Convert(batch, 0, magic: 1);
                }
                catch (InvalidDataException)
                {
                }
            }
        }
    }
}
