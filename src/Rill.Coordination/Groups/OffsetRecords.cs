using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Coordination.Groups;

/// <summary>
/// Kafka's __consumer_offsets record formats for committed offsets, so tools that read that topic
/// understand ours: key version 1 (group, topic, partition) and value version 3 (offset, leader
/// epoch, metadata, commit timestamp). A null value (tombstone) deletes the offset. The formats are
/// the generated <see cref="OffsetCommitKey"/> and <see cref="OffsetCommitValue"/>.
/// </summary>
public static class OffsetRecords
{
    public const short OffsetKeyVersion = 1;
    public const short OffsetValueVersion = 3;

    public static byte[] Key(string group, string topic, int partition)
        => new OffsetCommitKey { Group = group, Topic = topic, Partition = partition }.ToVersionedBytes(OffsetKeyVersion);

    public static byte[] Value(CommittedOffset offset)
        => new OffsetCommitValue
        {
            Offset = offset.Offset,
            LeaderEpoch = offset.LeaderEpoch,
            Metadata = offset.Metadata ?? "",
            CommitTimestamp = offset.CommitTimestamp,
        }.ToVersionedBytes(OffsetValueVersion);

    /// <summary>Parses an offset-commit key (versions 0 and 1); false for other record kinds (group metadata is version 2).</summary>
    public static bool TryParseKey(ReadOnlyMemory<byte> key, out string group, out string topic, out int partition)
    {
        group = topic = "";
        partition = -1;
        if (RecordKeys.Version(key.Span) is not (0 or 1))
        {
            return false;
        }
        try
        {
            OffsetCommitKey parsed = OffsetCommitKey.FromVersionedBytes(key, out _);
            (group, topic, partition) = (parsed.Group, parsed.Topic, parsed.Partition);
            return partition >= 0;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    /// <summary>Parses offset-commit values of versions 0-4 (v1 carries an expire timestamp, v3+ a leader epoch).</summary>
    public static bool TryParseValue(ReadOnlyMemory<byte> value, out CommittedOffset offset)
    {
        offset = default;
        try
        {
            OffsetCommitValue parsed = OffsetCommitValue.FromVersionedBytes(value, out short version);
            if (version > OffsetCommitValue.HighestSupportedVersion)
            {
                return false; // KIP-915: a newer value version is not readable as an older one
            }
            offset = new CommittedOffset(parsed.Offset, parsed.LeaderEpoch, parsed.Metadata, parsed.CommitTimestamp);
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }
}

/// <summary>The record type of a __consumer_offsets key: its leading int16 version.</summary>
internal static class RecordKeys
{
    public static int Version(ReadOnlySpan<byte> key)
        => key.Length >= 2 ? System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(key) : -1;
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
        => e switch
        {
            GroupStateLogException { Error: ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize } => tooLarge,
            GroupStateLogException { Error: ErrorCode.NotCoordinator } => ErrorCode.NotCoordinator, // leadership of the partition moved
            _ => ErrorCode.CoordinatorNotAvailable,
        };
}
