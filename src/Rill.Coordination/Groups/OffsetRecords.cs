using Rill.Protocol;

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
        => new RecordFieldWriter().Int16(OffsetKeyVersion).String(group).String(topic).Int32(partition).ToArray();

    public static byte[] Value(CommittedOffset offset)
        => new RecordFieldWriter().Int16(OffsetValueVersion).Int64(offset.Offset).Int32(offset.LeaderEpoch)
            .String(offset.Metadata ?? "").Int64(offset.CommitTimestamp).ToArray();

    /// <summary>Parses an offset-commit key (versions 0 and 1); false for other record kinds (group metadata is version 2).</summary>
    public static bool TryParseKey(ReadOnlySpan<byte> key, out string group, out string topic, out int partition)
    {
        group = topic = "";
        partition = -1;
        var reader = new RecordFieldReader(key);
        return reader.TryReadInt16(out short version) && version is 0 or 1
            && reader.TryReadString(out group) && reader.TryReadString(out topic)
            && reader.TryReadInt32(out partition) && partition >= 0;
    }

    /// <summary>Parses offset-commit values of versions 0-3 (v1 carries an expire timestamp, v3 a leader epoch).</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> value, out CommittedOffset offset)
    {
        offset = default;
        var reader = new RecordFieldReader(value);
        if (!reader.TryReadInt16(out short version) || version is < 0 or > 3 || !reader.TryReadInt64(out long position))
        {
            return false;
        }
        int epoch = -1;
        if (version >= 3 && !reader.TryReadInt32(out epoch))
        {
            return false;
        }
        if (!reader.TryReadString(out string metadata) || !reader.TryReadInt64(out long timestamp))
        {
            return false;
        }
        if (version == 1 && !reader.TryReadInt64(out _))
        {
            return false; // expire timestamp (v1 only)
        }
        offset = new CommittedOffset(position, epoch, metadata, timestamp);
        return true;
    }
}

/// <summary>Where the coordinator writes its records (the broker's __consumer_offsets partitions).</summary>
public interface IGroupStateLog
{
    /// <summary>
    /// Appends records for a group durably (as the broker's acks=all would); throws
    /// <see cref="GroupStateLogException"/> (or an <see cref="IOException"/>) if it cannot.
    /// </summary>
    void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records);
}

/// <summary>The log refused a coordinator's records, with the partition's error (e.g. MESSAGE_TOO_LARGE).</summary>
public sealed class GroupStateLogException(ErrorCode error, string message) : IOException(message)
{
    public ErrorCode Error { get; } = error;

    /// <summary>
    /// What the coordinator answers, as Kafka maps it: records too large for the log are
    /// <paramref name="tooLarge"/> (INVALID_COMMIT_OFFSET_SIZE for commits, UNKNOWN_SERVER_ERROR
    /// for group metadata); anything else means the coordinator is not available.
    /// </summary>
    public static ErrorCode Map(Exception e, ErrorCode tooLarge)
        => e is GroupStateLogException { Error: ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize }
            ? tooLarge : ErrorCode.CoordinatorNotAvailable;
}
