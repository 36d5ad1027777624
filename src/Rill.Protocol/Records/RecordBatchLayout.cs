namespace Rill.Protocol.Records;

/// <summary>
/// Byte layout of a record batch (magic 2) header, all fields big-endian.
/// Shared by the codec, the storage engine and the broker so that nobody re-derives offsets.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffset = 0;            // int64
    public const int BatchLength = 8;           // int32: bytes after this field
    public const int PartitionLeaderEpoch = 12; // int32
    public const int Magic = 16;                // int8
    public const int Crc = 17;                  // uint32, CRC32C over Attributes..end
    public const int Attributes = 21;           // int16
    public const int LastOffsetDelta = 23;      // int32
    public const int BaseTimestamp = 27;        // int64
    public const int MaxTimestamp = 35;         // int64
    public const int ProducerId = 43;           // int64
    public const int ProducerEpoch = 51;        // int16
    public const int BaseSequence = 53;         // int32
    public const int RecordCount = 57;          // int32
    public const int HeaderSize = 61;

    /// <summary>BaseOffset + BatchLength: the part not counted by BatchLength.</summary>
    public const int LogOverhead = 12;

    public const int CompressionMask = 0x07;
    public const int TimestampTypeFlag = 0x08;
    public const int TransactionalFlag = 0x10;
    public const int ControlFlag = 0x20;
    public const int DeleteHorizonFlag = 0x40;
}
