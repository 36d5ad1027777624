using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

public class RecordBatchTests
{
    internal static List<RecordData> Records(int count, bool keys = true, bool headers = true) => Enumerable.Range(0, count)
        .Select(i => new RecordData(1_700_000_000_000 + i * 3, keys ? (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes($"k{i}") : null,
            i == 1 ? null : Encoding.UTF8.GetBytes($"value-{i}"),
            headers ? [new("h", (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes("x")), new("nul", null)] : null))
        .ToList();

    public static TheoryData<CompressionType> AllCodecs() => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Fact]
    public void Crc_known_vectors()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0u, Crc32.Compute([]));
        // The eight-bytes-at-a-time path agrees with a bitwise reference at every length and alignment.
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)(i * 37 + 11)).ToArray();
        for (int start = 0; start < 9; start++)
        {
            for (int length = 0; start + length <= data.Length; length += 7)
            {
                Assert.Equal(ReferenceCrc32C(data.AsSpan(start, length)), Crc32C.Compute(data.AsSpan(start, length)));
            }
        }
    }

    internal static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Built_batches_validate_with_keys_and_headers_and_read_back(CompressionType codec)
    {
        List<RecordData> records = Records(50);
        byte[] batch = RecordBatchBuilder.Build(records, new BatchOptions(Compression: codec));
        var result = RecordBatchValidator.Validate(batch, requireKeys: true);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal((1, 50, batch.Length, false), (result.BatchCount, result.RecordCount, result.MaxBatchSize, result.HasTransactionalBatch));
        Assert.Equal((int)codec, BatchReader.Attributes(batch) & RecordBatchLayout.CompressionMask);
        BatchReader.AssertRecords(records, BatchReader.ReadRecords(batch));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Keyless_batches_validate_unless_keys_are_required(CompressionType codec)
    {
        foreach (bool headers in new[] { false, true })
        {
            List<RecordData> records = Records(5, keys: false, headers: headers);
            byte[] keyless = RecordBatchBuilder.Build(records, new BatchOptions(Compression: codec));
            Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(keyless, requireKeys: false).Error);
            var refused = RecordBatchValidator.Validate(keyless, requireKeys: true);
            Assert.Equal(ErrorCode.InvalidRecord, refused.Error);
            BatchReader.AssertRecords(records, BatchReader.ReadRecords(keyless));
        }

        // One keyless record among keyed ones, inside the (compressed) records area, is enough.
        List<RecordData> mixed = Records(4);
        mixed[2] = mixed[2] with { Key = null };
        byte[] batch = RecordBatchBuilder.Build(mixed, new BatchOptions(Compression: codec));
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, requireKeys: true).Error);
        // The second batch of a request is checked too.
        byte[] two = [.. RecordBatchBuilder.Build(Records(2), new BatchOptions(Compression: codec)), .. batch];
        var result = RecordBatchValidator.Validate(two, requireKeys: true);
        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Equal((2, 6), (RecordBatchValidator.Validate(two, requireKeys: false).BatchCount, RecordBatchValidator.Validate(two, requireKeys: false).RecordCount));
    }

    [Fact]
    public void Golden_uncompressed_batch_with_one_record()
    {
        var record = new RecordData(1000, "k"u8.ToArray(), "v"u8.ToArray(), [new("h", (ReadOnlyMemory<byte>?)"x"u8.ToArray())]);
        byte[] batch = RecordBatchBuilder.Build([record], new BatchOptions(BaseOffset: 5));
        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // baseOffset 5
            0x00, 0x00, 0x00, 0x3E,                         // batchLength 62: bytes after this field (74 - 12)
            0xFF, 0xFF, 0xFF, 0xFF,                         // partitionLeaderEpoch -1
            0x02,                                           // magic 2
            0x85, 0xD4, 0x93, 0x6F,                         // crc: CRC-32C of attributes..end (computed independently)
            0x00, 0x00,                                     // attributes: no compression, create time
            0x00, 0x00, 0x00, 0x00,                         // lastOffsetDelta 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // baseTimestamp 1000
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // maxTimestamp 1000
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producerId -1
            0xFF, 0xFF,                                     // producerEpoch -1
            0xFF, 0xFF, 0xFF, 0xFF,                         // baseSequence -1
            0x00, 0x00, 0x00, 0x01,                         // records count 1
            0x18,                                           // record length 12 (zigzag varint)
            0x00,                                           //   attributes
            0x00,                                           //   timestampDelta 0 (varlong)
            0x00,                                           //   offsetDelta 0 (varint)
            0x02, (byte)'k',                                //   key length 1, "k"
            0x02, (byte)'v',                                //   value length 1, "v"
            0x02,                                           //   headers count 1
            0x02, (byte)'h',                                //     header key length 1, "h"
            0x02, (byte)'x',                                //     header value length 1, "x"
        ];
        Assert.Equal(expected, batch);
        Assert.Equal(0x85D4936Fu, ReferenceCrc32C(expected.AsSpan(21)));
        var result = RecordBatchValidator.Validate(expected, requireKeys: true);
        Assert.Equal((ErrorCode.None, 1, 1), (result.Error, result.BatchCount, result.RecordCount));
    }

    [Fact]
    public void Batch_options_land_in_the_header()
    {
        var options = new BatchOptions(BaseOffset: 77, ProducerId: 1234, ProducerEpoch: 5, BaseSequence: 9, Transactional: true, LogAppendTime: true, PartitionLeaderEpoch: 3);
        byte[] batch = RecordBatchBuilder.Build(Records(3), options);
        var view = new ProtocolReader(batch);
        Assert.Equal(77L, view.ReadInt64());
        Assert.Equal(batch.Length - 12, view.ReadInt32());
        Assert.Equal(3, view.ReadInt32());
        Assert.Equal((sbyte)2, view.ReadInt8());
        view.ReadUInt32();
        Assert.Equal((short)(RecordBatchLayout.TransactionalFlag | RecordBatchLayout.TimestampTypeFlag), view.ReadInt16());
        Assert.Equal(2, view.ReadInt32());                               // lastOffsetDelta
        Assert.Equal((1_700_000_000_000L, 1_700_000_000_006L), (view.ReadInt64(), view.ReadInt64()));
        Assert.Equal((1234L, (short)5, 9, 3), (view.ReadInt64(), view.ReadInt16(), view.ReadInt32(), view.ReadInt32()));
        Assert.True(RecordBatchValidator.Validate(batch, requireKeys: false).HasTransactionalBatch);
        Assert.Throws<ArgumentException>(() => RecordBatchBuilder.Build([]));
    }

    [Fact]
    public void Control_batches_and_unknown_codecs_are_refused()
    {
        byte[] control = RecordBatchBuilder.Build(Records(1), new BatchOptions(Control: true));
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(control, requireKeys: false).Error);
        byte[] batch = RecordBatchBuilder.Build(Records(1));
        batch[RecordBatchLayout.Attributes + 1] = 5;   // codec 5
        BatchReader.FixCrc(batch);
        Assert.Equal(ErrorCode.UnsupportedCompressionType, RecordBatchValidator.Validate(batch, requireKeys: false).Error);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate([], requireKeys: false).Error);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Zstd)]
    public void Changing_any_byte_is_caught_unless_the_crc_does_not_cover_it(CompressionType codec)
    {
        byte[] batch = RecordBatchBuilder.Build(Records(3), new BatchOptions(Compression: codec));
        foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF, 0x5A })
        {
            for (int i = 0; i < batch.Length; i++)
            {
                byte[] copy = (byte[])batch.Clone();
                copy[i] ^= mask;
                BatchValidation result = default;
                Exception? error = Record.Exception(() => result = RecordBatchValidator.Validate(copy, requireKeys: true));
                Assert.True(error is null, $"byte {i} ^ {mask:X2}: {error}");
                if (i < RecordBatchLayout.BatchLength || (i >= RecordBatchLayout.PartitionLeaderEpoch && i < RecordBatchLayout.Magic))
                {
                    Assert.True(result.Error == ErrorCode.None, $"byte {i} (base offset / leader epoch, outside the CRC): {result.Error}");
                }
                else
                {
                    Assert.True(result.Error is ErrorCode.CorruptMessage or ErrorCode.InvalidRecord, $"byte {i} ^ {mask:X2}: {result.Error}");
                }
            }
        }
    }

    [Fact]
    public void Records_that_pass_the_crc_but_are_malformed_are_invalid_records()
    {
        // Damage inside the records area with a recomputed CRC, as a buggy client could send.
        byte[] batch = RecordBatchBuilder.Build(Records(3));
        for (int i = RecordBatchLayout.HeaderSize; i < batch.Length; i++)
        {
            foreach (byte value in new byte[] { 0x00, 0x7F, 0x80, 0xFF })
            {
                byte[] copy = (byte[])batch.Clone();
                if (copy[i] == value)
                {
                    continue;
                }
                copy[i] = value;
                BatchReader.FixCrc(copy);
                BatchValidation result = default;
                Exception? error = Record.Exception(() => result = RecordBatchValidator.Validate(copy, requireKeys: false));
                Assert.True(error is null, $"byte {i} = {value:X2}: {error}");
                Assert.True(result.Error is ErrorCode.None or ErrorCode.InvalidRecord, $"byte {i} = {value:X2}: {result.Error}");
            }
        }
        // A record count that disagrees with the records present.
        byte[] wrongCount = (byte[])batch.Clone();
        wrongCount[RecordBatchLayout.RecordCount + 3] = 4;
        BatchReader.FixCrc(wrongCount);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(wrongCount, requireKeys: false).Error);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Every_truncation_is_an_error(CompressionType codec)
    {
        byte[] batch = RecordBatchBuilder.Build(Records(3), new BatchOptions(Compression: codec));
        byte[] two = [.. batch, .. batch];
        for (int cut = 0; cut < two.Length; cut++)
        {
            if (cut == batch.Length)
            {
                Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(two.AsSpan(0, cut), requireKeys: true).Error);
                continue;
            }
            var result = RecordBatchValidator.Validate(two.AsSpan(0, cut), requireKeys: true);
            Assert.True(result.Error is ErrorCode.CorruptMessage or ErrorCode.InvalidRecord, $"cut at {cut}: {result.Error}");
        }
    }
}
