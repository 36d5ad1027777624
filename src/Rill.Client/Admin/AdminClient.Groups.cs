using Rill.Client.Consuming;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>Consumer groups: list, describe, committed offsets, reset (admin commit), delete.</summary>
public sealed partial class AdminClient
{
    /// <summary>Every consumer group the cluster knows, with its protocol type and state, ordered by group id.</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        await _cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
        var result = new List<GroupListing>();
        foreach (var broker in _cluster.Brokers)
        {
            BrokerConnection connection = await _cluster.GetConnectionAsync(broker.NodeId, cancellationToken).ConfigureAwait(false);
            short version = connection.Versions.Pick(ApiKey.ListGroups);
            var response = await connection.SendAsync<ListGroupsResponse>(ApiKey.ListGroups, version, new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
            KafkaException.ThrowIfError(response.ErrorCode, "ListGroups");
            result.AddRange(response.Groups.Select(g => new GroupListing(g.GroupId, g.ProtocolType, g.GroupState)));
        }
        return result.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The group's state, protocol and members with their assignments (DescribeGroups).</summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        BrokerConnection coordinator = await new CoordinatorLookup(_cluster, groupId).GetAsync(cancellationToken).ConfigureAwait(false);
        short version = coordinator.Versions.Pick(ApiKey.DescribeGroups);
        var response = await coordinator.SendAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, version, new DescribeGroupsRequest { Groups = [groupId] }, cancellationToken).ConfigureAwait(false);
        var g = response.Groups.Single();
        KafkaException.ThrowIfError(g.ErrorCode, $"Describe group {groupId}", g.ErrorMessage);
        var members = g.Members.Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            g.ProtocolType == "consumer" && m.MemberAssignment.Length > 0 ? ConsumerProtocol.DecodeAssignment(m.MemberAssignment) : [])).ToList();
        return new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData, members);
    }

    /// <summary>Every committed offset of the group.</summary>
    public async Task<Dictionary<TopicPartition, long>> ListGroupOffsetsAsync(string groupId, CancellationToken cancellationToken = default)
    {
        BrokerConnection coordinator = await new CoordinatorLookup(_cluster, groupId).GetAsync(cancellationToken).ConfigureAwait(false);
        return await OffsetClient.FetchCommittedAsync(coordinator, groupId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets committed offsets of a group with no active members (an OffsetCommit from outside the group).</summary>
    public async Task AlterGroupOffsetsAsync(string groupId, IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        BrokerConnection coordinator = await new CoordinatorLookup(_cluster, groupId).GetAsync(cancellationToken).ConfigureAwait(false);
        await OffsetClient.CommitAsync(coordinator, groupId, -1, "", null, offsets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes these groups and their committed offsets; a group with active members is refused (<see cref="KafkaException"/>).</summary>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        foreach (string groupId in groupIds)
        {
            BrokerConnection coordinator = await new CoordinatorLookup(_cluster, groupId).GetAsync(cancellationToken).ConfigureAwait(false);
            short version = coordinator.Versions.Pick(ApiKey.DeleteGroups);
            var response = await coordinator.SendAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, version, new DeleteGroupsRequest { GroupsNames = [groupId] }, cancellationToken).ConfigureAwait(false);
            foreach (var r in response.Results)
            {
                KafkaException.ThrowIfError(r.ErrorCode, $"Delete group {r.GroupId}");
            }
        }
    }
}
