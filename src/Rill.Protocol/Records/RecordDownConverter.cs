using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>What a down-conversion wrote.</summary>
/// <param name="Bytes">Bytes written to the output (a partial trailing message included).</param>
/// <param name="Messages">Whole messages written.</param>
/// <param name="Partial">The output ends with the first part of a message that did not fit.</param>
public readonly record struct DownConversion(int Bytes, int Messages, bool Partial);

/// <summary>
/// Converts stored magic-2 record batches into a legacy (magic 0 or 1) message set for Fetch v0-3,
/// as Kafka 3.x does for old consumers. Decisions, each a deliberate difference or simplification:
/// <list type="bullet">
/// <item>Output messages are always uncompressed: a compressed batch is decompressed and its records
/// written as plain messages. Kafka keeps the codec by writing a compressed wrapper message; plain
/// messages are valid for every old client, need no re-compression, and avoid magic 0 LZ4, whose
/// frame checksum old clients compute differently (KAFKA-3160).</item>
/// <item>Control batches (transaction markers) are dropped. Fetch v0-3 have no isolation level
/// (read_uncommitted), so records of other transactional batches would be delivered as Kafka does.</item>
/// <item>Record headers cannot be carried by magic 0/1 messages and are dropped.</item>
/// <item>Magic 0 has no timestamp; magic 1 carries the record's timestamp, or for a LogAppendTime
/// batch the batch's max timestamp with the timestamp-type attribute bit set.</item>
/// <item>Records before <c>fetchOffset</c> (a fetch offset inside a batch) are skipped; offsets are absolute.</item>
/// </list>
/// Size: whole messages are written while they fit in <c>limit</c>. When not even the first one
/// fits, <c>firstWhole</c> writes it whole anyway (KIP-74, Fetch v3's first partition); otherwise
/// <c>partialFirst</c> writes the first <c>limit</c> bytes of it, so a v0-2 client sees a message
/// larger than its fetch size (its "message too large" signal) instead of an empty answer.
/// The output buffer is the only allocation besides one decompression buffer per call; nothing per record.
/// </summary>
public static class RecordDownConverter
{
    /// <summary>offset, size, crc, magic, attributes, key length, value length.</summary>
    public const int MessageOverheadV0 = 8 + 4 + 4 + 1 + 1 + 4 + 4;

    /// <summary>Magic 1 adds an int64 timestamp.</summary>
    public const int MessageOverheadV1 = MessageOverheadV0 + 8;

    private const byte TimestampTypeLogAppendTime = 0x08;

    public static DownConversion Convert(ReadOnlySpan<byte> batches, long fetchOffset, byte magic, int limit,
        bool firstWhole, bool partialFirst, IBufferWriter<byte> output)
    {
        if (magic > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(magic), magic, "Legacy message sets have magic 0 or 1.");
        }
        int written = 0, messages = 0;
        ArrayBufferWriter<byte>? decompressed = null;
        int position = 0;
        while (batches.Length - position >= RecordBatchLayout.HeaderSize)
        {
            ReadOnlySpan<byte> rest = batches[position..];
            int total = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            if (total < RecordBatchLayout.HeaderSize || total > rest.Length)
            {
                break; // a trailing partial batch: nothing more to convert
            }
            ReadOnlySpan<byte> batch = rest[..total];
            position += total;
            if (batch[RecordBatchLayout.Magic] != 2)
            {
                throw new InvalidDataException($"Stored batch at byte {position - total} has magic {batch[RecordBatchLayout.Magic]}; expected 2.");
            }
            short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]);
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
            int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDelta..]);
            if ((attributes & RecordBatchLayout.ControlFlag) != 0 || baseOffset + lastOffsetDelta < fetchOffset)
            {
                continue;
            }
            bool logAppendTime = (attributes & RecordBatchLayout.TimestampTypeFlag) != 0;
            long baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.BaseTimestamp..]);
            long maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..]);
            int count = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.RecordCount..]);
            ReadOnlySpan<byte> body = batch[RecordBatchLayout.HeaderSize..];
            var codec = (CompressionType)(attributes & RecordBatchLayout.CompressionMask);
            if (codec != CompressionType.None)
            {
                decompressed ??= new ArrayBufferWriter<byte>(Math.Max(256, body.Length * 4));
                decompressed.Clear();
                Codecs.Decompress(codec, body, decompressed, CompressedRecords.MaxDecompressedSize);
                body = decompressed.WrittenSpan;
            }

            int p = 0;
            for (int i = 0; i < count; i++)
            {
                var record = ParsedRecord.Read(body, ref p, i, baseOffset);
                long offset = baseOffset + record.OffsetDelta;
                if (offset < fetchOffset)
                {
                    continue;
                }
                long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + record.TimestampDelta;
                int messageSize = (magic == 0 ? MessageOverheadV0 : MessageOverheadV1) - 12
                    + Math.Max(0, record.KeyLength) + Math.Max(0, record.ValueLength);
                int size = 12 + messageSize;
                if (written > limit - size)
                {
                    if (written == 0 && (firstWhole || partialFirst))
                    {
                        Span<byte> target = output.GetSpan(size);
                        WriteMessage(target, offset, messageSize, magic, logAppendTime, timestamp, record, body);
                        int kept = firstWhole ? size : Math.Max(0, limit);
                        output.Advance(kept);
                        return new DownConversion(kept, firstWhole ? 1 : 0, !firstWhole);
                    }
                    return new DownConversion(written, messages, false);
                }
                WriteMessage(output.GetSpan(size), offset, messageSize, magic, logAppendTime, timestamp, record, body);
                output.Advance(size);
                written += size;
                messages++;
            }
        }
        return new DownConversion(written, messages, false);
    }

    private static void WriteMessage(Span<byte> target, long offset, int messageSize, byte magic, bool logAppendTime,
        long timestamp, in ParsedRecord record, ReadOnlySpan<byte> body)
    {
        BinaryPrimitives.WriteInt64BigEndian(target, offset);
        BinaryPrimitives.WriteInt32BigEndian(target[8..], messageSize);
        Span<byte> message = target.Slice(12, messageSize);
        int p = 4; // the CRC goes first, computed last
        message[p++] = magic;
        message[p++] = magic == 1 && logAppendTime ? TimestampTypeLogAppendTime : (byte)0;
        if (magic == 1)
        {
            BinaryPrimitives.WriteInt64BigEndian(message[p..], timestamp);
            p += 8;
        }
        p = WriteBytes(message, p, body, record.KeyStart, record.KeyLength);
        WriteBytes(message, p, body, record.ValueStart, record.ValueLength);
        BinaryPrimitives.WriteUInt32BigEndian(message, Crc32.Compute(message[4..]));
    }

    private static int WriteBytes(Span<byte> message, int p, ReadOnlySpan<byte> body, int start, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(message[p..], length);
        p += 4;
        if (length > 0)
        {
            body.Slice(start, length).CopyTo(message[p..]);
            p += length;
        }
        return p;
    }

    /// <summary>Where a v2 record's parts lie in its batch body.</summary>
    private readonly record struct ParsedRecord(long TimestampDelta, int OffsetDelta, int KeyStart, int KeyLength, int ValueStart, int ValueLength)
    {
        public static ParsedRecord Read(ReadOnlySpan<byte> body, ref int p, int index, long baseOffset)
        {
            if (!Varint.TryReadVarInt(body, ref p, out int length) || length < 0 || length > body.Length - p)
            {
                throw Malformed(index, baseOffset);
            }
            int end = p + length;
            ReadOnlySpan<byte> record = body[..end];
            p++; // attributes
            if (!Varint.TryReadVarLong(record, ref p, out long timestampDelta)
                || !Varint.TryReadVarInt(record, ref p, out int offsetDelta)
                || !Varint.TryReadVarInt(record, ref p, out int keyLength) || keyLength < -1 || keyLength > end - p)
            {
                throw Malformed(index, baseOffset);
            }
            int keyStart = p;
            p += Math.Max(0, keyLength);
            if (!Varint.TryReadVarInt(record, ref p, out int valueLength) || valueLength < -1 || valueLength > end - p)
            {
                throw Malformed(index, baseOffset);
            }
            int valueStart = p;
            p = end; // headers: magic 0/1 cannot carry them
            return new ParsedRecord(timestampDelta, offsetDelta, keyStart, keyLength, valueStart, valueLength);
        }

        private static InvalidDataException Malformed(int index, long baseOffset) =>
            new($"Record {index} of the stored batch at offset {baseOffset} is malformed.");
    }
}
