using System.Buffers.Binary;
using Rill.Protocol.Records;

namespace Rill.Storage.Producers;

/// <summary>
/// Transaction markers: a control batch (transactional and control attribute bits) of one record
/// whose key is int16 version 0 + int16 type (0 abort, 1 commit) and whose value is int16 version
/// 0 + int32 coordinator epoch, as Kafka writes them.
/// </summary>
public static class ControlRecord
{
    public const short AbortType = 0;
    public const short CommitType = 1;

    /// <summary>The marker batch of producer id/epoch, to be appended to a partition of its transaction.</summary>
    public static byte[] BuildMarker(long producerId, short producerEpoch, bool commit, int coordinatorEpoch, long timestamp)
    {
        byte[] key = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), commit ? CommitType : AbortType);
        byte[] value = new byte[6];
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        return RecordBatchBuilder.Build([new RecordData(timestamp, key, value)],
            new BatchOptions(ProducerId: producerId, ProducerEpoch: producerEpoch, Transactional: true, Control: true));
    }

    /// <summary>
    /// The type of a control record's key: commit (true), abort (false); null for a key that is no
    /// transaction marker (unknown version or type, too short).
    /// </summary>
    public static bool? ParseMarkerKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < 4 || BinaryPrimitives.ReadInt16BigEndian(key) != 0)
        {
            return null;
        }
        return BinaryPrimitives.ReadInt16BigEndian(key[2..]) switch
        {
            CommitType => true,
            AbortType => false,
            _ => null,
        };
    }
}
