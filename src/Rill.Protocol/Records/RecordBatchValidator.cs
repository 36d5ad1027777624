using System.Buffers.Binary;

namespace Rill.Protocol.Records;

/// <summary>
/// What validating a produce request's records found. <see cref="RecordErrors"/> names the records
/// that made the batch invalid when the fault lies with some records (KIP-467), null otherwise.
/// </summary>
public readonly record struct BatchValidation(ErrorCode Error, string? Message, int BatchCount, int RecordCount,
    int MaxBatchSize, bool HasTransactionalBatch, IReadOnlyList<RecordError>? RecordErrors = null)
{
    public static BatchValidation Fail(ErrorCode error, string message) => new(error, message, 0, 0, 0, false);
}

/// <summary>
/// Validates a buffer of magic-2 record batches as a broker must before storing them: whole
/// batches only, sane lengths, CRC-32C, and - for uncompressed batches - every record parsed
/// within bounds, offset deltas consistent with the header, and keys present when required
/// (compacted topics). No allocation for valid uncompressed batches. Keyless records on a compacted
/// topic are per-record errors: INVALID_RECORD naming every such record (KIP-467); the whole
/// request's records are rejected, as in Kafka. Framing faults stay whole-batch errors.
/// </summary>
public static class RecordBatchValidator
{
    public static BatchValidation Validate(ReadOnlySpan<byte> buffer, bool requireKeys)
    {
        int batches = 0, records = 0, maxSize = 0;
        bool transactional = false;
        int position = 0;
        List<RecordError>? recordErrors = null;
        if (buffer.Length == 0)
        {
            return BatchValidation.Fail(ErrorCode.InvalidRecord, "The produce request carries no records.");
        }
        while (position < buffer.Length)
        {
            ReadOnlySpan<byte> rest = buffer[position..];
            if (rest.Length < RecordBatchLayout.HeaderSize)
            {
                return BatchValidation.Fail(ErrorCode.CorruptMessage, $"Truncated record batch at byte {position}: {rest.Length} bytes is shorter than a batch header.");
            }
            int batchLength = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchLayout.BatchLength..]);
            if (batchLength < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead || batchLength > rest.Length - RecordBatchLayout.LogOverhead)
            {
                return BatchValidation.Fail(ErrorCode.CorruptMessage, $"Record batch at byte {position} declares length {batchLength}, outside the {rest.Length - RecordBatchLayout.LogOverhead} bytes present.");
            }
            int total = batchLength + RecordBatchLayout.LogOverhead;
            ReadOnlySpan<byte> batch = rest[..total];
            if (batch[RecordBatchLayout.Magic] != 2)
            {
                return BatchValidation.Fail(ErrorCode.CorruptMessage, $"Record batch at byte {position} has magic {batch[RecordBatchLayout.Magic]}; expected 2.");
            }
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchLayout.Crc..]);
            uint computed = Crc32C.Compute(batch[RecordBatchLayout.Attributes..]);
            if (stored != computed)
            {
                return BatchValidation.Fail(ErrorCode.CorruptMessage, $"Record batch at byte {position} fails its CRC (stored {stored:x8}, computed {computed:x8}).");
            }
            short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]);
            int count = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.RecordCount..]);
            int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDelta..]);
            if (count < 0 || lastOffsetDelta < 0)
            {
                return BatchValidation.Fail(ErrorCode.CorruptMessage, $"Record batch at byte {position} has record count {count} and last offset delta {lastOffsetDelta}.");
            }
            if ((attributes & RecordBatchLayout.ControlFlag) != 0)
            {
                return BatchValidation.Fail(ErrorCode.InvalidRecord, "Clients may not produce control batches.");
            }
            transactional |= (attributes & RecordBatchLayout.TransactionalFlag) != 0;
            int compression = attributes & RecordBatchLayout.CompressionMask;
            if (compression > 4)
            {
                return BatchValidation.Fail(ErrorCode.UnsupportedCompressionType, $"Record batch at byte {position} uses unknown compression codec {compression}.");
            }
            ReadOnlySpan<byte> body = batch[RecordBatchLayout.HeaderSize..];
            string? problem = compression == 0
                ? RecordWalker.Check(body, count, lastOffsetDelta, requireKeys, records, ref recordErrors)
                : requireKeys ? CompressedRecords.CheckKeys(body, compression, count, lastOffsetDelta, records, ref recordErrors) : null;
            if (problem is not null)
            {
                return BatchValidation.Fail(ErrorCode.InvalidRecord, $"Record batch at byte {position}: {problem}");
            }
            batches++;
            records += count;
            maxSize = Math.Max(maxSize, total);
            position += total;
        }
        if (recordErrors is not null)
        {
            return new BatchValidation(ErrorCode.InvalidRecord, RecordErrors.Summarize(recordErrors), batches, records, maxSize,
                transactional, recordErrors);
        }
        return new BatchValidation(ErrorCode.None, null, batches, records, maxSize, transactional);
    }
}
