using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;

namespace Rill.Coordination.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// ConsumerGroupHeartbeat (KIP-848). An unknown or empty classic group id becomes a consumer
    /// group; a classic group with members answers GROUP_ID_NOT_FOUND, as Kafka does when it does
    /// not migrate groups between protocols.
    /// </summary>
    public async Task<ConsumerHeartbeatResult> ConsumerHeartbeatAsync(ConsumerHeartbeat request)
    {
        if (request.GroupId.Length == 0)
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidGroupId, "GroupId can't be empty.", request.MemberId);
        }
        if (Availability(request.GroupId) is var unavailable and not ErrorCode.None)
        {
            return ConsumerHeartbeatResult.Fail(unavailable, UnavailableMessage(unavailable), request.MemberId);
        }
        GroupEntry entry = GetOrCreate(request.GroupId);
        try
        {
            return await entry.Executor.Invoke(() =>
            {
                if (entry.Consumer is null)
                {
                    if (entry.Classic.MemberCount > 0 || entry.Classic.State is not (GroupState.Empty or GroupState.Dead))
                    {
                        return ConsumerHeartbeatResult.Fail(ErrorCode.GroupIdNotFound, $"Group {request.GroupId} is not a consumer group.", request.MemberId);
                    }
                    if (request.MemberEpoch != 0)
                    {
                        return ConsumerHeartbeatResult.Fail(ErrorCode.UnknownMemberId,
                            $"Member {request.MemberId} is not a member of group {request.GroupId}.", request.MemberId);
                    }
                    entry.Consumer = NewConsumerGroup(request.GroupId, entry);
                }
                return entry.Consumer.Heartbeat(request);
            }).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.CoordinatorNotAvailable, "The group was just deleted.", request.MemberId);
        }
    }

    /// <summary>ConsumerGroupDescribe: GROUP_ID_NOT_FOUND for unknown groups and for classic ones.</summary>
    public async Task<ConsumerGroupDescription> DescribeConsumerGroupAsync(string groupId)
    {
        static ConsumerGroupDescription Failed(string id, ErrorCode error, string message)
            => new(error, message, id, ConsumerGroupState.Dead, 0, 0, "", []);
        if (groupId.Length == 0)
        {
            return Failed(groupId, ErrorCode.InvalidGroupId, "GroupId can't be empty.");
        }
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return Failed(groupId, unavailable, UnavailableMessage(unavailable));
        }
        if (!TryGet(groupId, out GroupEntry? entry))
        {
            return Failed(groupId, ErrorCode.GroupIdNotFound, $"Group {groupId} not found.");
        }
        try
        {
            return await entry.Executor.Invoke(() => entry.Consumer is { IsDead: false } consumer
                ? consumer.Describe()
                : Failed(groupId, ErrorCode.GroupIdNotFound, $"Group {groupId} is not a consumer group.")).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return Failed(groupId, ErrorCode.GroupIdNotFound, $"Group {groupId} not found.");
        }
    }

    /// <summary>OffsetFetch v9+ from a consumer-group member: it must be a member at that epoch.</summary>
    public async Task<ErrorCode> ValidateOffsetFetchAsync(string groupId, string? memberId, int memberEpoch)
    {
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        if (memberId is null || !TryGet(groupId, out GroupEntry? entry))
        {
            return ErrorCode.None;
        }
        try
        {
            return await entry.Executor.Invoke(() => entry.Consumer?.ValidateFetch(memberId, memberEpoch) ?? ErrorCode.None).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return ErrorCode.None;
        }
    }

    private ConsumerGroup NewConsumerGroup(string groupId, GroupEntry entry)
        => new(groupId, _consumerOptions, _time, entry.Executor, _topics) { Store = records => StoreRecords(groupId, records) };

    /// <summary>Writes a group's records; the error to answer when the log cannot take them.</summary>
    private ErrorCode StoreRecords(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        try
        {
            Persist(groupId, records);
            return ErrorCode.None;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return GroupStateLogException.Map(e, ErrorCode.UnknownServerError);
        }
    }

    /// <summary>KIP-848 groups being rebuilt from __consumer_offsets records.</summary>
    private sealed class LoadingConsumerGroup
    {
        public int? Epoch { get; set; }
        public Dictionary<string, ConsumerGroupMember> Members { get; } = new(StringComparer.Ordinal);

        public ConsumerGroupMember Member(string id) => Members.TryGetValue(id, out var m) ? m : Members[id] = new ConsumerGroupMember { MemberId = id };
    }

    /// <summary>Applies one KIP-848 record (type 3, 5 or 8) to the groups being loaded; false when the key is of another kind.</summary>
    private static bool LoadConsumerRecord(Dictionary<string, LoadingConsumerGroup> groups, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte>? value)
    {
        if (!ConsumerGroupRecords.TryParseKey(key, out short type, out string groupId, out string memberId))
        {
            return false;
        }
        if (!groups.TryGetValue(groupId, out LoadingConsumerGroup? group))
        {
            groups[groupId] = group = new LoadingConsumerGroup();
        }
        switch (type)
        {
            case ConsumerGroupRecords.GroupMetadataType:
                group.Epoch = value is { } v && ConsumerGroupRecords.TryParseGroupValue(v, out int epoch) ? epoch : null;
                break;
            case ConsumerGroupRecords.MemberMetadataType when value is null:
            case ConsumerGroupRecords.CurrentAssignmentType when value is null:
                group.Members.Remove(memberId);
                break;
            case ConsumerGroupRecords.MemberMetadataType:
                ConsumerGroupRecords.TryParseMemberValue(value.Value, group.Member(memberId));
                break;
            case ConsumerGroupRecords.CurrentAssignmentType:
                ConsumerGroupRecords.TryParseAssignmentValue(value.Value, group.Member(memberId));
                break;
        }
        return true;
    }

    private void RestoreConsumerGroups(Dictionary<string, LoadingConsumerGroup> groups)
    {
        foreach (var (groupId, loaded) in groups)
        {
            if (loaded.Epoch is not { } epoch)
            {
                continue; // deleted (tombstone) or never completed
            }
            GroupEntry entry = GetOrCreate(groupId);
            entry.Executor.Invoke(() =>
            {
                ConsumerGroup group = NewConsumerGroup(groupId, entry);
                group.Restore(epoch, loaded.Members.Values);
                entry.Consumer = group;
                return true;
            }).GetAwaiter().GetResult();
        }
    }
}
