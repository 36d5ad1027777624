using System.Buffers.Binary;
using System.Text;

namespace Rill.Coordination.Groups;

/// <summary>
/// Kafka's __consumer_offsets record formats for committed offsets, so tools that read that topic
/// understand ours: key version 1 (group, topic, partition) and value version 3 (offset, leader
/// epoch, metadata, commit timestamp). A null value (tombstone) deletes the offset.
/// </summary>
public static class OffsetRecords
{
    public const short OffsetKeyVersion = 1;
    public const short OffsetValueVersion = 3;

    public static byte[] Key(string group, string topic, int partition)
    {
        int size = 2 + StringSize(group) + StringSize(topic) + 4;
        byte[] key = new byte[size];
        int p = 0;
        BinaryPrimitives.WriteInt16BigEndian(key, OffsetKeyVersion);
        p += 2;
        p += WriteString(key.AsSpan(p), group);
        p += WriteString(key.AsSpan(p), topic);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(p), partition);
        return key;
    }

    public static byte[] Value(CommittedOffset offset)
    {
        string metadata = offset.Metadata ?? "";
        byte[] value = new byte[2 + 8 + 4 + StringSize(metadata) + 8];
        int p = 0;
        BinaryPrimitives.WriteInt16BigEndian(value, OffsetValueVersion);
        p += 2;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(p), offset.Offset);
        p += 8;
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(p), offset.LeaderEpoch);
        p += 4;
        p += WriteString(value.AsSpan(p), metadata);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(p), offset.CommitTimestamp);
        return value;
    }

    /// <summary>Parses an offset-commit key (versions 0 and 1); false for other record kinds (group metadata is version 2).</summary>
    public static bool TryParseKey(ReadOnlySpan<byte> key, out string group, out string topic, out int partition)
    {
        group = topic = "";
        partition = -1;
        if (key.Length < 2)
        {
            return false;
        }
        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version is not (0 or 1))
        {
            return false;
        }
        int p = 2;
        return TryReadString(key, ref p, out group) && TryReadString(key, ref p, out topic) && key.Length - p >= 4
            && (partition = BinaryPrimitives.ReadInt32BigEndian(key[p..])) >= 0;
    }

    /// <summary>Parses offset-commit values of versions 0-3.</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> value, out CommittedOffset offset)
    {
        offset = default;
        if (value.Length < 10)
        {
            return false;
        }
        short version = BinaryPrimitives.ReadInt16BigEndian(value);
        int p = 2;
        long position = BinaryPrimitives.ReadInt64BigEndian(value[p..]);
        p += 8;
        int epoch = -1;
        if (version >= 3)
        {
            epoch = BinaryPrimitives.ReadInt32BigEndian(value[p..]);
            p += 4;
        }
        if (!TryReadString(value, ref p, out string metadata) || value.Length - p < 8)
        {
            return false;
        }
        long timestamp = BinaryPrimitives.ReadInt64BigEndian(value[p..]);
        offset = new CommittedOffset(position, epoch, metadata, timestamp);
        return version is >= 0 and <= 3;
    }

    private static int StringSize(string s) => 2 + Encoding.UTF8.GetByteCount(s);

    private static int WriteString(Span<byte> into, string s)
    {
        int length = Encoding.UTF8.GetBytes(s, into[2..]);
        BinaryPrimitives.WriteInt16BigEndian(into, (short)length);
        return 2 + length;
    }

    private static bool TryReadString(ReadOnlySpan<byte> data, ref int p, out string s)
    {
        s = "";
        if (data.Length - p < 2)
        {
            return false;
        }
        short length = BinaryPrimitives.ReadInt16BigEndian(data[p..]);
        p += 2;
        if (length < 0 || length > data.Length - p)
        {
            return false;
        }
        s = Encoding.UTF8.GetString(data.Slice(p, length));
        p += length;
        return true;
    }
}

/// <summary>Where the coordinator writes its records (the broker's __consumer_offsets partitions).</summary>
public interface IGroupStateLog
{
    /// <summary>Appends records for a group durably (as the broker's acks=all would); throws if it cannot.</summary>
    void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records);
}
