using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>
/// Magic 0/1 message sets (Produce v0-2), built by hand from the message format:
/// offset int64, message_size int32, then crc int32 (CRC-32 of the rest), magic int8,
/// attributes int8, timestamp int64 (magic 1 only), key bytes, value bytes.
/// </summary>
public class LegacyMessageSetTests
{
    private sealed record Message(string? Key, string? Value, long Timestamp);

    private static readonly Message[] Sample = [new("a", "one", 100), new(null, "two", 105), new("c", null, 103)];

    internal static byte[] Legacy(byte magic, byte attributes, long timestamp, byte[]? key, byte[]? value, long offset = 0)
    {
        var body = new List<byte> { magic, attributes };
        if (magic == 1)
        {
            body.AddRange(BigEndian(timestamp));
        }
        foreach (byte[]? part in new[] { key, value })
        {
            body.AddRange(BigEndian(part?.Length ?? -1));
            body.AddRange(part ?? []);
        }
        byte[] crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(body.ToArray()));
        byte[] message = [.. crc, .. body];
        return [.. BigEndian(offset), .. BigEndian(message.Length), .. message];
    }

    private static byte[] BigEndian(long value)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        return b;
    }

    private static byte[] BigEndian(int value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }

    private static byte[]? Utf8(string? s) => s is null ? null : Encoding.UTF8.GetBytes(s);

    private static byte[] Set(byte magic) => Sample.SelectMany((m, i) => Legacy(magic, 0, m.Timestamp, Utf8(m.Key), Utf8(m.Value), i)).ToArray();

    private static byte[] Wrapped(byte magic, CompressionType codec)
    {
        var compressed = new ArrayBufferWriter<byte>();
        Codecs.Compress(codec, Set(magic), compressed);
        return Legacy(magic, (byte)codec, 105, null, compressed.WrittenSpan.ToArray(), offset: 2);
    }

    private static void AssertConverted(byte[] messageSet, byte magic)
    {
        Assert.True(LegacyMessageSetConverter.TryConvert(messageSet, out byte[]? batch, out string? error), error);
        Assert.Null(error);
        var result = RecordBatchValidator.Validate(batch, requireKeys: false);
        Assert.Equal((ErrorCode.None, 1, Sample.Length), (result.Error, result.BatchCount, result.RecordCount));
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, requireKeys: true).Error);   // one null key
        var records = BatchReader.ReadRecords(batch!);
        Assert.Equal(Sample.Select(m => (Utf8(m.Key), Utf8(m.Value))), records.Select(r => (r.Key, r.Value)));
        Assert.Equal(Sample.Select(m => magic == 0 ? -1L : m.Timestamp), records.Select(r => r.Timestamp));   // magic 0 has none
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)1)]
    public void Uncompressed_message_sets_convert_with_keys_values_and_timestamps(byte magic)
        => AssertConverted(Set(magic), magic);

    [Theory]
    [InlineData((byte)0, CompressionType.Gzip)]
    [InlineData((byte)1, CompressionType.Gzip)]
    [InlineData((byte)1, CompressionType.Snappy)]
    public void Compressed_wrapper_messages_are_opened(byte magic, CompressionType codec)
        => AssertConverted(Wrapped(magic, codec), magic);

    [Fact]
    public void A_golden_magic_0_message_converts()
    {
        byte[] message =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // offset
            0x00, 0x00, 0x00, 0x10,                         // message_size 16
            0x00, 0x00, 0x00, 0x00,                         // crc, filled in below
            0x00,                                           // magic 0
            0x00,                                           // attributes: no compression
            0xFF, 0xFF, 0xFF, 0xFF,                         // key: null
            0x00, 0x00, 0x00, 0x02, (byte)'h', (byte)'i',   // value "hi"
        ];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), Crc32.Compute(message.AsSpan(16)));
        Assert.Equal(Legacy(0, 0, 0, null, "hi"u8.ToArray()), message);
        Assert.True(LegacyMessageSetConverter.TryConvert(message, out byte[]? batch, out _));
        var record = BatchReader.ReadRecords(batch!).Single();
        Assert.Equal((-1L, (byte[]?)null, "hi"), (record.Timestamp, record.Key, Encoding.UTF8.GetString(record.Value!)));
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)1)]
    public void A_bad_crc_is_an_error(byte magic)
    {
        byte[] set = Set(magic);
        set[^1] ^= 1;   // last byte of the last message's value
        Assert.False(LegacyMessageSetConverter.TryConvert(set, out byte[]? batch, out string? error));
        Assert.Null(batch);
        Assert.Contains("CRC", error);

        // Inside a compressed wrapper too.
        byte[] inner = Set(magic);
        inner[20] ^= 1;   // first message's magic/attributes area, covered by its CRC
        var compressed = new ArrayBufferWriter<byte>();
        Codecs.Compress(CompressionType.Gzip, inner, compressed);
        byte[] wrapper = Legacy(magic, 1, 0, null, compressed.WrittenSpan.ToArray());
        Assert.False(LegacyMessageSetConverter.TryConvert(wrapper, out _, out string? innerError));
        Assert.Contains("CRC", innerError);
    }

    [Fact]
    public void Malformed_sets_are_errors_and_a_cut_trailing_message_is_dropped()
    {
        Assert.False(LegacyMessageSetConverter.TryConvert([], out _, out _));
        byte[] set = Set(1);
        Assert.True(LegacyMessageSetConverter.TryConvert(set[..^3], out byte[]? partial, out _));   // clients cut at a size limit
        Assert.Equal(Sample.Length - 1, BatchReader.ReadRecords(partial!).Count);

        byte[] tiny = (byte[])set.Clone();
        BinaryPrimitives.WriteInt32BigEndian(tiny.AsSpan(8), 13);   // smaller than any message
        Assert.False(LegacyMessageSetConverter.TryConvert(tiny, out _, out _));

        byte[] magic2 = Legacy(2, 0, 0, null, [1]);
        Assert.False(LegacyMessageSetConverter.TryConvert(magic2, out _, out _));
        byte[] badCodec = Legacy(1, 6, 0, null, [1, 2, 3]);
        Assert.False(LegacyMessageSetConverter.TryConvert(badCodec, out _, out _));
        byte[] garbageGzip = Legacy(1, 1, 0, null, [1, 2, 3, 4, 5]);
        Assert.False(LegacyMessageSetConverter.TryConvert(garbageGzip, out _, out _));
    }

    [Fact]
    public void Every_byte_change_and_truncation_converts_or_fails_without_throwing()
    {
        foreach (byte[] set in new[] { Set(0), Set(1), Wrapped(1, CompressionType.Gzip) })
        {
            for (int i = 0; i < set.Length; i++)
            {
                foreach (byte value in new byte[] { 0x00, 0x80, 0xFF })
                {
                    byte[] bad = (byte[])set.Clone();
                    bad[i] = value;
                    Exception? error = Record.Exception(() => LegacyMessageSetConverter.TryConvert(bad, out _, out _));
                    Assert.True(error is null, $"byte {i} = {value:X2}: {error}");
                }
                byte[] cut = set[..i];
                Assert.Null(Record.Exception(() => LegacyMessageSetConverter.TryConvert(cut, out _, out _)));
            }
        }
    }
}
