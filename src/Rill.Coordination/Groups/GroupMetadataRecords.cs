namespace Rill.Coordination.Groups;

/// <summary>
/// Kafka's __consumer_offsets records for classic group metadata: key version 2 (group id) and
/// value version 3 (protocol type, generation, protocol, leader, state timestamp, members with
/// instance ids, timeouts, subscription and assignment). A null value deletes the group.
/// Values of versions 0-3 are read.
/// </summary>
public static class GroupMetadataRecords
{
    public const short KeyVersion = 2;
    public const short ValueVersion = 3;

    public static byte[] Key(string group) => new RecordFieldWriter().Int16(KeyVersion).String(group).ToArray();

    public static byte[] Value(GroupSnapshot group)
    {
        var writer = new RecordFieldWriter().Int16(ValueVersion).String(group.ProtocolType).Int32(group.Generation)
            .String(group.Protocol).String(group.Leader).Int64(group.CurrentStateTimestamp).Int32(group.Members.Count);
        foreach (MemberSnapshot m in group.Members)
        {
            writer.String(m.MemberId).String(m.GroupInstanceId).String(m.ClientId).String(m.ClientHost)
                .Int32(m.RebalanceTimeoutMs).Int32(m.SessionTimeoutMs).Bytes(m.Subscription.Span).Bytes(m.Assignment.Span);
        }
        return writer.ToArray();
    }

    public static bool TryParseKey(ReadOnlySpan<byte> key, out string group)
    {
        group = "";
        var reader = new RecordFieldReader(key);
        return reader.TryReadInt16(out short version) && version == KeyVersion && reader.TryReadString(out group);
    }

    public static bool TryParseValue(ReadOnlySpan<byte> value, out GroupSnapshot snapshot)
    {
        snapshot = null!;
        var reader = new RecordFieldReader(value);
        if (!reader.TryReadInt16(out short version) || version is < 0 or > 3
            || !reader.TryReadString(out string protocolType) || !reader.TryReadInt32(out int generation)
            || !reader.TryReadNullableString(out string? protocol) || !reader.TryReadNullableString(out string? leader))
        {
            return false;
        }
        long stateTimestamp = -1;
        if (version >= 2 && !reader.TryReadInt64(out stateTimestamp))
        {
            return false;
        }
        if (!reader.TryReadInt32(out int count) || count < 0 || count > reader.Remaining)
        {
            return false;
        }
        var members = new List<MemberSnapshot>(count);
        for (int i = 0; i < count; i++)
        {
            string? instance = null;
            int rebalanceTimeout = 0;
            if (!reader.TryReadString(out string memberId)
                || (version >= 3 && !reader.TryReadNullableString(out instance))
                || !reader.TryReadString(out string clientId) || !reader.TryReadString(out string clientHost)
                || (version >= 1 && !reader.TryReadInt32(out rebalanceTimeout))
                || !reader.TryReadInt32(out int sessionTimeout)
                || !reader.TryReadBytes(out byte[] subscription) || !reader.TryReadBytes(out byte[] assignment))
            {
                return false;
            }
            members.Add(new MemberSnapshot(memberId, instance, clientId, clientHost,
                version >= 1 ? rebalanceTimeout : sessionTimeout, sessionTimeout, subscription, assignment));
        }
        snapshot = new GroupSnapshot(protocolType, generation, protocol, leader, stateTimestamp, members);
        return true;
    }
}

/// <summary>A classic group as persisted: what a coordinator needs to resume it after a restart.</summary>
public sealed record GroupSnapshot(string ProtocolType, int Generation, string? Protocol, string? Leader,
    long CurrentStateTimestamp, IReadOnlyList<MemberSnapshot> Members);

/// <summary>One member of a persisted classic group; the subscription is the metadata of the chosen protocol.</summary>
public sealed record MemberSnapshot(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int RebalanceTimeoutMs, int SessionTimeoutMs, ReadOnlyMemory<byte> Subscription, ReadOnlyMemory<byte> Assignment);
