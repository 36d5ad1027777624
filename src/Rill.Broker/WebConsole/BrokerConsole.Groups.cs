using Rill.Broker.Metrics;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Broker.WebConsole;

public sealed partial class BrokerConsole
{
    /// <summary>
    /// A page of live groups (as ListGroups lists them), by id, with lag in records; lag in seconds for the page's groups.
    /// As ListGroups: DESCRIBE on the cluster lists every group, else only the groups the caller may DESCRIBE.
    /// </summary>
    public async Task<ConsolePage<GroupSummary>> GroupsAsync(ConsoleCaller caller, int offset, int limit, string? search)
    {
        bool all = Allows(caller, AclOperation.Describe, AclResourceType.Cluster, AclNames.ClusterName);
        var listed = await _broker.Groups.ListAsync().ConfigureAwait(false);
        var ids = listed.Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
        // Groups with committed offsets but no live state (standalone consumers, simple commits) are listed as Empty.
        var groups = listed.Select(g => (g.GroupId, g.GroupType, g.State, g.ProtocolType))
            .Concat(_broker.Groups.GroupIdsWithOffsets().Where(id => !ids.Contains(id)).Select(id => (id, "classic", "Empty", "")))
            .Where(g => string.IsNullOrEmpty(search) || g.Item1.Contains(search, StringComparison.OrdinalIgnoreCase))
            .Where(g => all || AllowsGroup(caller, AclOperation.Describe, g.Item1))
            .OrderBy(g => g.Item1, StringComparer.Ordinal)
            .ToList();
        var page = Page(groups, offset, limit);
        long nowMs = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var items = new List<GroupSummary>(page.Items.Count);
        foreach (var (groupId, type, state, protocolType) in page.Items)
        {
            int members = await MemberCountAsync(groupId, type).ConfigureAwait(false);
            var (records, seconds) = GroupLag(groupId, nowMs, caller);
            items.Add(new GroupSummary(groupId, type, state, protocolType, members, records, seconds));
        }
        return new ConsolePage<GroupSummary>(page.Total, page.Offset, page.Limit, items);
    }

    private async Task<int> MemberCountAsync(string groupId, string type) => type == "consumer"
        ? (await _broker.Groups.DescribeConsumerGroupAsync(groupId).ConfigureAwait(false)).Members.Count
        : (await _broker.Groups.DescribeAsync(groupId).ConfigureAwait(false)).Members.Count;

    /// <summary>Total lag in records and the largest lag in seconds over the group's committed partitions.</summary>
    internal (long Records, double Seconds) GroupLag(string groupId, long nowMs, ConsoleCaller? caller = null)
    {
        long records = 0;
        double seconds = 0;
        foreach (GroupPartitionLag p in PartitionLags(groupId, nowMs, caller))
        {
            records += p.LagRecords;
            seconds = Math.Max(seconds, p.LagSeconds);
        }
        return (records, seconds);
    }

    /// <summary>Lag per committed partition; with a caller, as an all-topics OffsetFetch: only topics it may DESCRIBE.</summary>
    private List<GroupPartitionLag> PartitionLags(string groupId, long nowMs, ConsoleCaller? caller,
        IReadOnlyDictionary<(string, int), string>? owners = null)
    {
        var result = new List<GroupPartitionLag>();
        foreach (var (topic, index, committed) in _broker.Groups.FetchAllOffsets(groupId))
        {
            if (_broker.Topics.Find(topic)?.GetPartition(index) is not { } partition
                || (caller is not null && !AllowsTopic(caller, AclOperation.Describe, topic)))
            {
                continue;
            }
            long end = partition.HighWatermark;
            long lag = Math.Max(0, end - Math.Max(committed.Offset, 0));
            double seconds = lag == 0 ? 0 : BrokerStateMetrics.LagSeconds(partition, committed.Offset, nowMs);
            result.Add(new GroupPartitionLag(topic, index, committed.Offset, end, lag, seconds, committed.CommitTimestamp,
                owners?.GetValueOrDefault((topic, index))));
        }
        return result.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
    }

    /// <summary>
    /// State, members with their assignments (a classic group's consumer-protocol assignment decoded;
    /// a KIP-848 group's current assignment) and lag per committed partition, as DescribeGroups /
    /// ConsumerGroupDescribe and OffsetFetch report them.
    /// </summary>
    public async Task<GroupDetail> GroupAsync(ConsoleCaller caller, string groupId)
    {
        Require(caller, AclOperation.Describe, AclResourceType.Group, groupId, "DescribeGroups");
        return await DescribeGroupAsync(caller, groupId).ConfigureAwait(false);
    }

    private async Task<GroupDetail> DescribeGroupAsync(ConsoleCaller caller, string groupId)
    {
        ConsumerGroupDescription consumer = await _broker.Groups.DescribeConsumerGroupAsync(groupId).ConfigureAwait(false);
        string type, state, protocolType, protocol;
        List<GroupMemberInfo> members;
        if (consumer.Error == ErrorCode.None && consumer.State != ConsumerGroupState.Dead)
        {
            type = "consumer";
            state = consumer.State.ToString();
            protocolType = "consumer";
            protocol = consumer.AssignorName;
            members = consumer.Members.Select(m => new GroupMemberInfo(m.MemberId, m.InstanceId, m.ClientId, m.ClientHost,
                m.Assignment.GroupBy(tp => tp.TopicId).Select(g => new AssignedPartitions(_broker.Topics.Find(g.Key)?.Name ?? g.Key.ToString(),
                    g.Select(tp => tp.Partition).Order().ToList())).ToList())).ToList();
        }
        else
        {
            GroupDescription classic = await _broker.Groups.DescribeAsync(groupId).ConfigureAwait(false);
            if (classic.Error != ErrorCode.None)
            {
                throw Failure(classic.Error, classic.ErrorMessage);
            }
            type = "classic";
            state = classic.State.ToString();
            protocolType = classic.ProtocolType;
            protocol = classic.Protocol;
            members = classic.Members.Select(m => new GroupMemberInfo(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                protocolType == "consumer" ? DecodeAssignment(m.Assignment) : [])).ToList();
        }
        var offsets = _broker.Groups.FetchAllOffsets(groupId);
        if (state == nameof(GroupState.Dead) && offsets.Count == 0)
        {
            throw ConsoleException.NotFound($"Group '{groupId}' does not exist.");
        }
        if (state == nameof(GroupState.Dead))
        {
            state = "Empty"; // committed offsets without live group state: what kafka-consumer-groups.sh shows as Empty
        }
        var owners = new Dictionary<(string, int), string>();
        foreach (GroupMemberInfo m in members)
        {
            foreach (AssignedPartitions a in m.Assignment)
            {
                foreach (int p in a.Partitions)
                {
                    owners[(a.Topic, p)] = m.MemberId;
                }
            }
        }
        long nowMs = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        List<GroupPartitionLag> lags = PartitionLags(groupId, nowMs, caller, owners);
        return new GroupDetail(groupId, type, state, protocolType, protocol, members, lags, lags.Sum(l => l.LagRecords),
            lags.Count == 0 ? 0 : lags.Max(l => l.LagSeconds), CanReset: state == "Empty");
    }

    private static List<AssignedPartitions> DecodeAssignment(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return [];
        }
        try
        {
            return ConsumerProtocolAssignment.FromVersionedBytes(bytes, out _).AssignedPartitions
                .Select(tp => new AssignedPartitions(tp.Topic, tp.Partitions.Order().ToList())).ToList();
        }
        catch (ProtocolException)
        {
            return [];
        }
    }

    internal IReadOnlyList<string> GroupIdsWithOffsets() => _broker.Groups.GroupIdsWithOffsets();

    /// <summary>The lag history the console has sampled for the group (every few seconds, the last 30 minutes), oldest first.</summary>
    public IReadOnlyList<LagPoint> LagHistory(ConsoleCaller caller, string groupId)
    {
        Require(caller, AclOperation.Describe, AclResourceType.Group, groupId, "DescribeGroups");
        return _lagHistory.Get(groupId);
    }

    /// <summary>
    /// Moves the group's committed offsets, as kafka-consumer-groups.sh --reset-offsets does: only
    /// while the group has no members (Kafka's rule; the coordinator refuses a commit without a
    /// generation otherwise), to the earliest or latest offset, the first offset at or after a
    /// timestamp, or a given offset (clamped to the log). Committed through the group coordinator as an
    /// OffsetCommit without a generation. <c>DryRun</c> returns the plan without committing.
    /// </summary>
    public async Task<ResetOffsetsResult> ResetOffsetsAsync(ConsoleCaller caller, string groupId, ResetOffsetsRequest request)
    {
        Require(caller, AclOperation.Read, AclResourceType.Group, groupId, "OffsetCommit");
        GroupDetail group = await DescribeGroupAsync(caller, groupId).ConfigureAwait(false);
        if (!group.CanReset)
        {
            throw Failure(ErrorCode.NonEmptyGroup,
                $"Group '{groupId}' is {group.State} with {group.Members.Count} member(s): offsets can be reset only when the group is empty (stop its consumers first).");
        }
        var targets = new List<(Partition Partition, long Current)>();
        if (request.Topic is { Length: > 0 } topicName)
        {
            Topic topic = FindAuthorized(caller, topicName, AclOperation.Read, "OffsetCommit");
            foreach (Partition p in topic.Partitions)
            {
                long current = group.Offsets.FirstOrDefault(o => o.Topic == topicName && o.Partition == p.Index)?.CommittedOffset ?? -1;
                targets.Add((p, current));
            }
        }
        else
        {
            foreach (GroupPartitionLag o in group.Offsets)
            {
                if (_broker.Topics.Find(o.Topic)?.GetPartition(o.Partition) is { } p)
                {
                    targets.Add((p, o.CommittedOffset));
                }
            }
        }
        if (targets.Count == 0)
        {
            throw ConsoleException.Bad($"Group '{groupId}' has no committed offsets; name a topic to reset.");
        }
        foreach (string topic in targets.Select(t => t.Partition.Topic.Name).Distinct())
        {
            Require(caller, AclOperation.Read, AclResourceType.Topic, topic, "OffsetCommit");
        }
        var changes = targets.Select(t => new OffsetChange(t.Partition.Topic.Name, t.Partition.Index, t.Current, Target(t.Partition, request))).ToList();
        if (request.DryRun)
        {
            return new ResetOffsetsResult(false, changes);
        }
        long now = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        ErrorCode error = await _broker.Groups.CommitAsync(groupId, -1, "", null,
            changes.Select(c => (c.Topic, c.Partition, new CommittedOffset(c.New, -1, "", now))).ToList()).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            throw Failure(error, $"The group coordinator refused the commit ({ErrorName(error)}).");
        }
        return new ResetOffsetsResult(true, changes);
    }

    private static long Target(Partition p, ResetOffsetsRequest request) => request.To switch
    {
        "earliest" => p.LogStartOffset,
        "latest" => p.HighWatermark,
        "timestamp" => p.FindOffsetForTimestamp(request.Timestamp ?? throw ConsoleException.Bad("to=timestamp needs timestamp (Unix ms).")) is var (o, _) && o >= 0
            ? o : p.HighWatermark,
        "offset" => Math.Clamp(request.Offset ?? throw ConsoleException.Bad("to=offset needs offset."), p.LogStartOffset, p.HighWatermark),
        _ => throw ConsoleException.Bad($"Unknown reset target '{request.To}': expected earliest, latest, timestamp or offset."),
    };
}
