using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Coordination.Groups.Consumer;

/// <summary>
/// Kafka's __consumer_offsets records for KIP-848 groups, the ones Rill needs to resume a group:
/// the group epoch (key type 3), each member's metadata (type 5) and each member's current
/// assignment (type 8). The formats are the generated <see cref="ConsumerGroupMetadataKey"/>,
/// <see cref="ConsumerGroupMetadataValue"/>, <see cref="ConsumerGroupMemberMetadataKey"/>,
/// <see cref="ConsumerGroupMemberMetadataValue"/>, <see cref="ConsumerGroupCurrentMemberAssignmentKey"/>
/// and <see cref="ConsumerGroupCurrentMemberAssignmentValue"/>: keys are classic encodings whose
/// version is the record type, values flexible version 0. A null value deletes.
/// </summary>
public static class ConsumerGroupRecords
{
    public const short GroupMetadataType = 3;
    public const short MemberMetadataType = 5;
    public const short CurrentAssignmentType = 8;
    private const short ValueVersion = 0;

    public static byte[] GroupKey(string group) => new ConsumerGroupMetadataKey { GroupId = group }.ToVersionedBytes(GroupMetadataType);

    public static byte[] GroupValue(int epoch) => new ConsumerGroupMetadataValue { Epoch = epoch }.ToVersionedBytes(ValueVersion);

    public static byte[] MemberKey(string group, string member)
        => new ConsumerGroupMemberMetadataKey { GroupId = group, MemberId = member }.ToVersionedBytes(MemberMetadataType);

    public static byte[] AssignmentKey(string group, string member)
        => new ConsumerGroupCurrentMemberAssignmentKey { GroupId = group, MemberId = member }.ToVersionedBytes(CurrentAssignmentType);

    internal static byte[] MemberValue(ConsumerGroupMember m) => new ConsumerGroupMemberMetadataValue
    {
        InstanceId = m.InstanceId,
        RackId = m.RackId,
        ClientId = m.ClientId,
        ClientHost = m.ClientHost,
        SubscribedTopicNames = [.. m.SubscribedTopicNames],
        SubscribedTopicRegex = m.SubscribedTopicRegex,
        RebalanceTimeoutMs = m.RebalanceTimeoutMs,
        ServerAssignor = m.ServerAssignor,
    }.ToVersionedBytes(ValueVersion);

    internal static byte[] AssignmentValue(ConsumerGroupMember m) => new ConsumerGroupCurrentMemberAssignmentValue
    {
        MemberEpoch = m.MemberEpoch,
        PreviousMemberEpoch = m.PreviousMemberEpoch,
        State = (sbyte)m.State,
        AssignedPartitions = ByTopic(m.Assigned),
        PartitionsPendingRevocation = ByTopic(m.PendingRevocation),
    }.ToVersionedBytes(ValueVersion);

    private static List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> ByTopic(IReadOnlySet<TopicIdPartition> partitions)
        => [.. PartitionSets.ByTopic(partitions).Select(t => new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions { TopicId = t.TopicId, Partitions = t.Partitions })];

    /// <summary>Reads a KIP-848 key: its type (3, 5 or 8), group and member (empty for type 3); false for other records.</summary>
    public static bool TryParseKey(ReadOnlyMemory<byte> key, out short type, out string group, out string member)
    {
        group = member = "";
        type = (short)RecordKeys.Version(key.Span);
        try
        {
            switch (type)
            {
                case GroupMetadataType:
                    group = ConsumerGroupMetadataKey.FromVersionedBytes(key, out _).GroupId;
                    return true;
                case MemberMetadataType:
                    var memberKey = ConsumerGroupMemberMetadataKey.FromVersionedBytes(key, out _);
                    (group, member) = (memberKey.GroupId, memberKey.MemberId);
                    return true;
                case CurrentAssignmentType:
                    var assignmentKey = ConsumerGroupCurrentMemberAssignmentKey.FromVersionedBytes(key, out _);
                    (group, member) = (assignmentKey.GroupId, assignmentKey.MemberId);
                    return true;
                default:
                    return false;
            }
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    public static bool TryParseGroupValue(ReadOnlyMemory<byte> value, out int epoch)
    {
        epoch = 0;
        try
        {
            epoch = ConsumerGroupMetadataValue.FromVersionedBytes(value, out _).Epoch;
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    internal static bool TryParseMemberValue(ReadOnlyMemory<byte> value, ConsumerGroupMember into)
    {
        ConsumerGroupMemberMetadataValue parsed;
        try
        {
            parsed = ConsumerGroupMemberMetadataValue.FromVersionedBytes(value, out _);
        }
        catch (ProtocolException)
        {
            return false;
        }
        into.InstanceId = parsed.InstanceId;
        into.RackId = parsed.RackId;
        into.ClientId = parsed.ClientId;
        into.ClientHost = parsed.ClientHost;
        into.SubscribedTopicNames = parsed.SubscribedTopicNames;
        into.SubscribedTopicRegex = parsed.SubscribedTopicRegex;
        into.RebalanceTimeoutMs = parsed.RebalanceTimeoutMs;
        into.ServerAssignor = parsed.ServerAssignor;
        return true;
    }

    internal static bool TryParseAssignmentValue(ReadOnlyMemory<byte> value, ConsumerGroupMember into)
    {
        ConsumerGroupCurrentMemberAssignmentValue parsed;
        try
        {
            parsed = ConsumerGroupCurrentMemberAssignmentValue.FromVersionedBytes(value, out _);
        }
        catch (ProtocolException)
        {
            return false;
        }
        if (parsed.State is < 0 or > 2)
        {
            return false;
        }
        into.MemberEpoch = parsed.MemberEpoch;
        into.PreviousMemberEpoch = parsed.PreviousMemberEpoch;
        into.State = (MemberState)parsed.State;
        into.Assigned = ToSet(parsed.AssignedPartitions);
        into.PendingRevocation = ToSet(parsed.PartitionsPendingRevocation);
        return true;
    }

    private static HashSet<TopicIdPartition> ToSet(List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> topics)
    {
        var set = new HashSet<TopicIdPartition>();
        foreach (var topic in topics)
        {
            foreach (int p in topic.Partitions)
            {
                set.Add(new TopicIdPartition(topic.TopicId, p));
            }
        }
        return set;
    }
}
