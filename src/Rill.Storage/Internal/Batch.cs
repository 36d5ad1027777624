using System.Buffers.Binary;
using Rill.Protocol.Records;

namespace Rill.Storage.Internal;

/// <summary>Reads and patches the fields of a record batch (magic 2) header held in a span.</summary>
internal static class Batch
{
    public const byte MagicV2 = 2;
    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;

    public static long BaseOffset(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[RecordBatchLayout.BaseOffset..]);
    public static int BatchLength(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.BatchLength..]);
    /// <summary>Whole size of the batch on disk: length field plus the 12 bytes before it.</summary>
    public static int TotalSize(ReadOnlySpan<byte> b) => BatchLength(b) + RecordBatchLayout.LogOverhead;
    public static byte Magic(ReadOnlySpan<byte> b) => b[RecordBatchLayout.Magic];
    public static uint Crc(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b[RecordBatchLayout.Crc..]);
    public static short Attributes(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt16BigEndian(b[RecordBatchLayout.Attributes..]);
    public static int LastOffsetDelta(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.LastOffsetDelta..]);
    public static long LastOffset(ReadOnlySpan<byte> b) => BaseOffset(b) + LastOffsetDelta(b);
    public static long BaseTimestamp(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[RecordBatchLayout.BaseTimestamp..]);
    public static long MaxTimestamp(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[RecordBatchLayout.MaxTimestamp..]);
    public static long ProducerId(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[RecordBatchLayout.ProducerId..]);
    public static short ProducerEpoch(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt16BigEndian(b[RecordBatchLayout.ProducerEpoch..]);
    public static int BaseSequence(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.BaseSequence..]);
    public static int RecordCount(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.RecordCount..]);
    public static bool IsControl(ReadOnlySpan<byte> b) => (Attributes(b) & RecordBatchLayout.ControlFlag) != 0;
    public static bool IsTransactional(ReadOnlySpan<byte> b) => (Attributes(b) & RecordBatchLayout.TransactionalFlag) != 0;
    public static bool IsCompressed(ReadOnlySpan<byte> b) => (Attributes(b) & RecordBatchLayout.CompressionMask) != 0;
    public static bool IsLogAppendTime(ReadOnlySpan<byte> b) => (Attributes(b) & RecordBatchLayout.TimestampTypeFlag) != 0;

    /// <summary>Last sequence of a batch, wrapping at int32 max as producers do.</summary>
    public static int LastSequence(int baseSequence, int lastOffsetDelta)
    {
        if (baseSequence == NoSequence) return NoSequence;
        return baseSequence > int.MaxValue - lastOffsetDelta
            ? lastOffsetDelta - (int.MaxValue - baseSequence) - 1
            : baseSequence + lastOffsetDelta;
    }

    public static void SetBaseOffset(Span<byte> b, long offset) => BinaryPrimitives.WriteInt64BigEndian(b[RecordBatchLayout.BaseOffset..], offset);
    public static int PartitionLeaderEpoch(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.PartitionLeaderEpoch..]);

    /// <summary>Stamps the leader epoch; it lies before the CRC's range, so the CRC stays valid.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> b, int epoch) => BinaryPrimitives.WriteInt32BigEndian(b[RecordBatchLayout.PartitionLeaderEpoch..], epoch);

    /// <summary>Marks the batch as LogAppendTime with the given time and recomputes its CRC.</summary>
    public static void SetLogAppendTime(Span<byte> b, long now)
    {
        short attributes = (short)(Attributes(b) | RecordBatchLayout.TimestampTypeFlag);
        BinaryPrimitives.WriteInt16BigEndian(b[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(b[RecordBatchLayout.MaxTimestamp..], now);
        UpdateCrc(b);
    }

    public static void UpdateCrc(Span<byte> b)
    {
        int total = TotalSize(b);
        uint crc = Crc32C.Compute(b[RecordBatchLayout.Attributes..total]);
        BinaryPrimitives.WriteUInt32BigEndian(b[RecordBatchLayout.Crc..], crc);
    }

    /// <summary>
    /// Checks the framing of the batch at the start of <paramref name="b"/>: returns its total size, or -1 when the
    /// header is not a sane magic-2 header (length out of range, wrong magic) or the batch does not fit in
    /// <paramref name="available"/> bytes.
    /// </summary>
    public static int CheckHeader(ReadOnlySpan<byte> b, long available, int maxBatchSize)
    {
        if (b.Length < RecordBatchLayout.HeaderSize || available < RecordBatchLayout.HeaderSize) return -1;
        int length = BatchLength(b);
        if (length < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead) return -1;
        if ((long)length + RecordBatchLayout.LogOverhead > maxBatchSize) return -1;
        if (Magic(b) != MagicV2) return -1;
        if (LastOffsetDelta(b) < 0) return -1;
        int total = length + RecordBatchLayout.LogOverhead;
        return total > available ? -1 : total;
    }

    /// <summary>
    /// Reads the transaction marker held by a whole control batch (its first record: key int16 version + int16 type,
    /// value int16 version + int32 coordinator epoch). False when the batch holds no readable marker (compressed,
    /// truncated, unknown key version or type): such a control batch is kept but changes no transaction.
    /// </summary>
    public static bool TryReadMarker(ReadOnlySpan<byte> wholeBatch, out bool commit, out int coordinatorEpoch)
    {
        commit = false;
        coordinatorEpoch = -1;
        if (wholeBatch.Length <= RecordBatchLayout.HeaderSize || IsCompressed(wholeBatch) || RecordCount(wholeBatch) < 1) return false;
        int p = RecordBatchLayout.HeaderSize;
        if (!RecordReader.TryReadVarint(wholeBatch, ref p, out long length) || length <= 0) return false;
        p++; // attributes
        if (!RecordReader.TryReadVarint(wholeBatch, ref p, out _) || !RecordReader.TryReadVarint(wholeBatch, ref p, out _)
            || !RecordReader.TryReadVarint(wholeBatch, ref p, out long keyLength) || keyLength < 4 || p + keyLength > wholeBatch.Length)
        {
            return false;
        }
        bool? type = Producers.ControlRecord.ParseMarkerKey(wholeBatch.Slice(p, (int)keyLength));
        if (type is null) return false;
        commit = type.Value;
        p += (int)keyLength;
        if (RecordReader.TryReadVarint(wholeBatch, ref p, out long valueLength) && valueLength >= 6 && p + valueLength <= wholeBatch.Length)
        {
            coordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(wholeBatch[(p + 2)..]);
        }
        return true;
    }

    /// <summary>True when the CRC stored in the (complete) batch matches its contents.</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> wholeBatch)
        => Crc(wholeBatch) == Crc32C.Compute(wholeBatch[RecordBatchLayout.Attributes..]);
}
