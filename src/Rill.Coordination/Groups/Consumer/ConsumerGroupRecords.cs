namespace Rill.Coordination.Groups.Consumer;

/// <summary>
/// Kafka's __consumer_offsets records for KIP-848 groups, the ones Rill needs to resume a group:
/// the group epoch (key type 3), each member's metadata (type 5) and each member's current
/// assignment (type 8). Keys are classic encodings whose version is the record type; values are
/// flexible version 0 (compact strings, tagged fields). A null value deletes.
/// </summary>
public static class ConsumerGroupRecords
{
    public const short GroupMetadataType = 3;
    public const short MemberMetadataType = 5;
    public const short CurrentAssignmentType = 8;

    public static byte[] GroupKey(string group) => new RecordFieldWriter().Int16(GroupMetadataType).String(group).ToArray();

    public static byte[] GroupValue(int epoch) => new RecordFieldWriter().Int16(0).Int32(epoch).NoTaggedFields().ToArray();

    public static byte[] MemberKey(string group, string member) => new RecordFieldWriter().Int16(MemberMetadataType).String(group).String(member).ToArray();

    public static byte[] AssignmentKey(string group, string member) => new RecordFieldWriter().Int16(CurrentAssignmentType).String(group).String(member).ToArray();

    internal static byte[] MemberValue(ConsumerGroupMember m)
    {
        var w = new RecordFieldWriter().Int16(0).CompactString(m.InstanceId).CompactString(m.RackId).CompactString(m.ClientId)
            .CompactString(m.ClientHost).CompactArrayLength(m.SubscribedTopicNames.Count);
        foreach (string topic in m.SubscribedTopicNames)
        {
            w.CompactString(topic);
        }
        return w.CompactString(m.SubscribedTopicRegex).Int32(m.RebalanceTimeoutMs).CompactString(m.ServerAssignor).NoTaggedFields().ToArray();
    }

    internal static byte[] AssignmentValue(ConsumerGroupMember m)
    {
        var w = new RecordFieldWriter().Int16(0).Int32(m.MemberEpoch).Int32(m.PreviousMemberEpoch).Int8((sbyte)m.State);
        WritePartitions(w, m.Assigned);
        WritePartitions(w, m.PendingRevocation);
        return w.NoTaggedFields().ToArray();
    }

    private static void WritePartitions(RecordFieldWriter w, IReadOnlySet<TopicIdPartition> partitions)
    {
        var topics = PartitionSets.ByTopic(partitions).ToList();
        w.CompactArrayLength(topics.Count);
        foreach (var (topicId, list) in topics)
        {
            w.Uuid(topicId).CompactArrayLength(list.Count);
            foreach (int p in list)
            {
                w.Int32(p);
            }
            w.NoTaggedFields();
        }
    }

    /// <summary>Reads a KIP-848 key: its type (3, 5 or 8), group and member (empty for type 3); false for other records.</summary>
    public static bool TryParseKey(ReadOnlySpan<byte> key, out short type, out string group, out string member)
    {
        group = member = "";
        var r = new RecordFieldReader(key);
        if (!r.TryReadInt16(out type) || type is not (GroupMetadataType or MemberMetadataType or CurrentAssignmentType) || !r.TryReadString(out group))
        {
            return false;
        }
        return type == GroupMetadataType || r.TryReadString(out member);
    }

    public static bool TryParseGroupValue(ReadOnlySpan<byte> value, out int epoch)
    {
        epoch = 0;
        var r = new RecordFieldReader(value);
        return r.TryReadInt16(out short version) && version == 0 && r.TryReadInt32(out epoch);
    }

    internal static bool TryParseMemberValue(ReadOnlySpan<byte> value, ConsumerGroupMember into)
    {
        var r = new RecordFieldReader(value);
        if (!r.TryReadInt16(out short version) || version != 0 || !r.TryReadCompactString(out string? instance)
            || !r.TryReadCompactString(out string? rack) || !r.TryReadCompactString(out string? clientId)
            || !r.TryReadCompactString(out string? clientHost) || !r.TryReadCompactArrayLength(out int count))
        {
            return false;
        }
        var topics = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadCompactString(out string? topic) || topic is null)
            {
                return false;
            }
            topics.Add(topic);
        }
        if (!r.TryReadCompactString(out string? regex) || !r.TryReadInt32(out int rebalanceTimeout) || !r.TryReadCompactString(out string? assignor))
        {
            return false;
        }
        into.InstanceId = instance;
        into.RackId = rack;
        into.ClientId = clientId ?? "";
        into.ClientHost = clientHost ?? "";
        into.SubscribedTopicNames = topics;
        into.SubscribedTopicRegex = regex;
        into.RebalanceTimeoutMs = rebalanceTimeout;
        into.ServerAssignor = assignor;
        return true;
    }

    internal static bool TryParseAssignmentValue(ReadOnlySpan<byte> value, ConsumerGroupMember into)
    {
        var r = new RecordFieldReader(value);
        if (!r.TryReadInt16(out short version) || version != 0 || !r.TryReadInt32(out int epoch) || !r.TryReadInt32(out int previous)
            || !r.TryReadInt8(out sbyte state) || state is < 0 or > 2
            || !TryReadPartitions(ref r, out var assigned) || !TryReadPartitions(ref r, out var pending))
        {
            return false;
        }
        into.MemberEpoch = epoch;
        into.PreviousMemberEpoch = previous;
        into.State = (MemberState)state;
        into.Assigned = assigned;
        into.PendingRevocation = pending;
        return true;
    }

    private static bool TryReadPartitions(ref RecordFieldReader r, out HashSet<TopicIdPartition> partitions)
    {
        partitions = [];
        if (!r.TryReadCompactArrayLength(out int topics))
        {
            return false;
        }
        for (int t = 0; t < topics; t++)
        {
            if (!r.TryReadUuid(out Guid topicId) || !r.TryReadCompactArrayLength(out int count))
            {
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                if (!r.TryReadInt32(out int p))
                {
                    return false;
                }
                partitions.Add(new TopicIdPartition(topicId, p));
            }
            if (!r.TrySkipTaggedFields())
            {
                return false;
            }
        }
        return true;
    }
}
