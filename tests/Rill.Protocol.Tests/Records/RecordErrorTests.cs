using System.Text;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Protocol.Tests.Records;

/// <summary>Per-record errors (KIP-467) found by the produce validation.</summary>
public class RecordErrorTests
{
    private static RecordData R(long timestamp, string? key) =>
        new(timestamp, key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("v"));

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Zstd)]
    public void Keyless_records_on_a_compacted_topic_are_each_named_with_their_batch_index(CompressionType codec)
    {
        byte[] batch = RecordBatchBuilder.Build([R(1, "a"), R(1, null), R(1, "c"), R(1, null), R(1, "e")], new BatchOptions(Compression: codec));
        BatchValidation result = RecordBatchValidator.Validate(batch, requireKeys: true);
        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Equal([1, 3], result.RecordErrors!.Select(e => e.BatchIndex));
        Assert.All(result.RecordErrors!, e => Assert.Contains("without key", e.Message));
        Assert.Contains("2 record(s) rejected", result.Message);

        Assert.Null(RecordBatchValidator.Validate(batch, requireKeys: false).RecordErrors);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, requireKeys: false).Error);
    }

    [Fact]
    public void Indexes_count_on_across_batches_of_one_partition()
    {
        byte[] first = RecordBatchBuilder.Build([R(1, "a"), R(1, "b")]);
        byte[] second = RecordBatchBuilder.Build([R(1, "c"), R(1, null)], new BatchOptions(BaseOffset: 0));
        BatchValidation result = RecordBatchValidator.Validate([.. first, .. second], requireKeys: true);
        Assert.Equal([3], result.RecordErrors!.Select(e => e.BatchIndex));
    }

    [Fact]
    public void A_framing_fault_is_still_a_whole_batch_error()
    {
        byte[] batch = RecordBatchBuilder.Build([R(1, null)]);
        batch[^1] ^= 0xFF; // breaks the CRC
        BatchValidation result = RecordBatchValidator.Validate(batch, requireKeys: true);
        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.Null(result.RecordErrors);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    public void Timestamps_outside_the_window_are_named_record_by_record(CompressionType codec)
    {
        byte[] inside = RecordBatchBuilder.Build([R(1000, "a"), R(1500, "b")], new BatchOptions(Compression: codec));
        byte[] mixed = RecordBatchBuilder.Build([R(1000, "a"), R(5000, "b"), R(999, "c"), R(2000, "d")], new BatchOptions(Compression: codec));
        Assert.Null(RecordTimestampCheck.FindOutOfRange(inside, 1000, 2000));
        List<RecordError>? errors = RecordTimestampCheck.FindOutOfRange([.. inside, .. mixed], 1000, 2000);
        Assert.Equal([3, 4], errors!.Select(e => e.BatchIndex));
        Assert.Contains("Timestamp 5000", errors![0].Message);
        Assert.Contains("Timestamp 999", errors[1].Message);
    }

    [Fact]
    public void A_timestamp_of_minus_one_is_not_checked()
    {
        byte[] batch = RecordBatchBuilder.Build([R(-1, "a")]);
        Assert.Null(RecordTimestampCheck.FindOutOfRange(batch, 1000, 2000));
    }

    [Fact]
    public void A_batch_whose_header_bounds_are_out_of_range_is_refused_even_if_no_record_is()
    {
        byte[] batch = RecordBatchBuilder.Build([R(1000, "a"), R(1100, "b")]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.MaxTimestamp), 9_999);
        List<RecordError>? errors = RecordTimestampCheck.FindOutOfRange(batch, 1000, 2000);
        Assert.Equal([0, 1], errors!.Select(e => e.BatchIndex));
        Assert.Contains("[1000, 9999]", errors![0].Message);
    }
}
