using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Coordination.Groups;

/// <summary>
/// Kafka's __consumer_offsets records for classic group metadata: key version 2 (group id) and
/// value version 3 (protocol type, generation, protocol, leader, state timestamp, members with
/// instance ids, timeouts, subscription and assignment). A null value deletes the group.
/// Values of versions 0-4 are read. The formats are the generated <see cref="GroupMetadataKey"/>
/// and <see cref="GroupMetadataValue"/>.
/// </summary>
public static class GroupMetadataRecords
{
    public const short KeyVersion = 2;
    public const short ValueVersion = 3;

    public static byte[] Key(string group) => new GroupMetadataKey { Group = group }.ToVersionedBytes(KeyVersion);

    public static byte[] Value(GroupSnapshot group)
    {
        var value = new GroupMetadataValue
        {
            ProtocolType = group.ProtocolType,
            Generation = group.Generation,
            Protocol = group.Protocol,
            Leader = group.Leader,
            CurrentStateTimestamp = group.CurrentStateTimestamp,
            Members = group.Members.Select(m => new GroupMetadataValue.MemberMetadata
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ClientId = m.ClientId,
                ClientHost = m.ClientHost,
                RebalanceTimeout = m.RebalanceTimeoutMs,
                SessionTimeout = m.SessionTimeoutMs,
                Subscription = m.Subscription,
                Assignment = m.Assignment,
            }).ToList(),
        };
        return value.ToVersionedBytes(ValueVersion);
    }

    public static bool TryParseKey(ReadOnlyMemory<byte> key, out string group)
    {
        group = "";
        if (RecordKeys.Version(key.Span) != KeyVersion)
        {
            return false;
        }
        try
        {
            group = GroupMetadataKey.FromVersionedBytes(key, out _).Group;
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    public static bool TryParseValue(ReadOnlyMemory<byte> value, out GroupSnapshot snapshot)
    {
        snapshot = null!;
        GroupMetadataValue parsed;
        short version;
        try
        {
            parsed = GroupMetadataValue.FromVersionedBytes(value, out version);
        }
        catch (ProtocolException)
        {
            return false;
        }
        if (version > GroupMetadataValue.HighestSupportedVersion)
        {
            return false; // KIP-915: a newer value version is not readable as an older one
        }
        // Subscriptions and assignments are copied: the record buffer may be reused after loading.
        var members = parsed.Members.Select(m => new MemberSnapshot(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            version >= 1 ? m.RebalanceTimeout : m.SessionTimeout, m.SessionTimeout, m.Subscription.ToArray(), m.Assignment.ToArray())).ToList();
        snapshot = new GroupSnapshot(parsed.ProtocolType, parsed.Generation, parsed.Protocol, parsed.Leader, parsed.CurrentStateTimestamp, members);
        return true;
    }
}

/// <summary>A classic group as persisted: what a coordinator needs to resume it after a restart.</summary>
public sealed record GroupSnapshot(string ProtocolType, int Generation, string? Protocol, string? Leader,
    long CurrentStateTimestamp, IReadOnlyList<MemberSnapshot> Members);

/// <summary>One member of a persisted classic group; the subscription is the metadata of the chosen protocol.</summary>
public sealed record MemberSnapshot(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int RebalanceTimeoutMs, int SessionTimeoutMs, ReadOnlyMemory<byte> Subscription, ReadOnlyMemory<byte> Assignment);
