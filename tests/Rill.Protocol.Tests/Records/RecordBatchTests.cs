using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

public class RecordBatchTests
{
    private static List<RecordData> Records(int count, bool keys = true) => Enumerable.Range(0, count)
        .Select(i => new RecordData(1_700_000_000_000 + i, keys ? (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes($"k{i}") : null,
            Encoding.UTF8.GetBytes($"value-{i}"), [new("h", (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes("x"))]))
        .ToList();

    [Fact]
    public void Crc_known_vectors()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Built_batches_validate_and_compacted_topics_require_keys(CompressionType codec)
    {
        byte[] batch = RecordBatchBuilder.Build(Records(50), new BatchOptions(Compression: codec));
        var result = RecordBatchValidator.Validate(batch, requireKeys: true);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal((1, 50), (result.BatchCount, result.RecordCount));

        byte[] keyless = RecordBatchBuilder.Build(Records(5, keys: false), new BatchOptions(Compression: codec));
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(keyless, requireKeys: false).Error);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(keyless, requireKeys: true).Error);
    }

    [Fact]
    public void Golden_uncompressed_batch_with_one_record()
    {
        var record = new RecordData(1000, "k"u8.ToArray(), "v"u8.ToArray(), [new("h", (ReadOnlyMemory<byte>?)"x"u8.ToArray())]);
        byte[] batch = RecordBatchBuilder.Build([record], new BatchOptions(BaseOffset: 5));
        byte[] recordBytes =
        [
            0x18,                   // record length 12 (zigzag)
            0x00,                   // attributes
            0x00,                   // timestamp delta 0
            0x00,                   // offset delta 0
            0x02, (byte)'k',        // key length 1
            0x02, (byte)'v',        // value length 1
            0x02,                   // one header
            0x02, (byte)'h', 0x02, (byte)'x',
        ];
        Assert.Equal(61 + recordBytes.Length, batch.Length);
        Assert.Equal(recordBytes, batch[61..]);
        Assert.Equal(Convert.FromHexString("0000000000000005" + "0000003E" + "FFFFFFFF" + "02"), batch[..17]);
        Assert.Equal(Convert.FromHexString("0000" + "00000000" + "00000000000003E8" + "00000000000003E8"
            + "FFFFFFFFFFFFFFFF" + "FFFF" + "FFFFFFFF" + "00000001"), batch[21..61]);
        Assert.Equal(Crc32C.Compute(batch.AsSpan(21)), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(17)));
    }

    [Fact]
    public void Flipping_any_byte_is_caught_unless_the_crc_does_not_cover_it()
    {
        byte[] batch = RecordBatchBuilder.Build(Records(3));
        for (int i = 0; i < batch.Length; i++)
        {
            byte[] copy = (byte[])batch.Clone();
            copy[i] ^= 0x5A;
            var result = RecordBatchValidator.Validate(copy, requireKeys: false);
            if (i < RecordBatchLayout.BatchLength + 4 && i >= RecordBatchLayout.BatchLength)
            {
                Assert.NotEqual(ErrorCode.None, result.Error);    // length field
            }
            else if (i < RecordBatchLayout.Magic)
            {
                Assert.Equal(ErrorCode.None, result.Error);       // base offset, leader epoch: not covered by the CRC
            }
            else
            {
                Assert.NotEqual(ErrorCode.None, result.Error);
            }
        }
    }

    [Fact]
    public void Every_truncation_is_an_error()
    {
        byte[] batch = RecordBatchBuilder.Build(Records(3));
        for (int cut = 0; cut < batch.Length; cut++)
        {
            Assert.NotEqual(ErrorCode.None, RecordBatchValidator.Validate(batch.AsSpan(0, cut), requireKeys: false).Error);
        }
    }

    [Fact]
    public void Legacy_gzip_wrapper_message_set_converts_to_a_valid_v2_batch()
    {
        byte[] inner = [.. Legacy(1, 0, 100, "a", "one"), .. Legacy(1, 0, 101, "b", "two")];
        var compressed = new System.Buffers.ArrayBufferWriter<byte>();
        Codecs.Compress(CompressionType.Gzip, inner, compressed);
        byte[] wrapper = Legacy(1, 1, 101, null, null, compressed.WrittenSpan.ToArray());
        Assert.True(LegacyMessageSetConverter.TryConvert(wrapper, out byte[]? batch, out string? error), error);
        var result = RecordBatchValidator.Validate(batch, requireKeys: true);
        Assert.Equal((ErrorCode.None, 2), (result.Error, result.RecordCount));

        byte[] magic0 = Legacy(0, 0, -1, "k", "v");
        Assert.True(LegacyMessageSetConverter.TryConvert(magic0, out _, out _));
        magic0[^1] ^= 1;
        Assert.False(LegacyMessageSetConverter.TryConvert(magic0, out _, out string? crcError));
        Assert.Contains("CRC", crcError);
    }

    private static byte[] Legacy(byte magic, byte attributes, long timestamp, string? key, string? value, byte[]? rawValue = null)
    {
        byte[]? k = key is null ? null : Encoding.UTF8.GetBytes(key);
        byte[]? v = rawValue ?? (value is null ? null : Encoding.UTF8.GetBytes(value));
        var body = new List<byte> { magic, attributes };
        if (magic == 1)
        {
            body.AddRange(BitConverter.GetBytes(timestamp).Reverse());
        }
        foreach (byte[]? part in new[] { k, v })
        {
            body.AddRange(BitConverter.GetBytes(part?.Length ?? -1).Reverse());
            if (part is not null)
            {
                body.AddRange(part);
            }
        }
        byte[] message = [.. BitConverter.GetBytes(Crc32.Compute(body.ToArray())).Reverse(), .. body];
        return [.. new byte[8], .. BitConverter.GetBytes(message.Length).Reverse(), .. message];
    }
}
