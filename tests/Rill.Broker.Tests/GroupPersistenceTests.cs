using Rill.Hosting;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Group metadata in __consumer_offsets through the real handlers, across a broker restart.</summary>
public class GroupPersistenceTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["group.initial.rebalance.delay.ms"] = "0",
        ["offsets.topic.num.partitions"] = "3",
    };

    private static JoinGroupRequest Join(string memberId) => new()
    {
        GroupId = "g", SessionTimeoutMs = 30_000, RebalanceTimeoutMs = 30_000, MemberId = memberId, ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 1, 0, 0, 0, 0, 255, 255, 255, 255 } }],
    };

    private async Task<(string MemberId, int Generation)> JoinAndSyncAsync(WireClient client)
    {
        var first = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join(""));
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        var joined = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join(first.MemberId));
        Assert.Equal(0, joined.ErrorCode);
        var sync = await client.RequestAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest
        {
            GroupId = "g", GenerationId = joined.GenerationId, MemberId = joined.MemberId, ProtocolType = "consumer", ProtocolName = "range",
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = new byte[] { 42 } }],
        });
        Assert.Equal(0, sync.ErrorCode);
        return (joined.MemberId, joined.GenerationId);
    }

    [Fact]
    public async Task After_a_restart_the_group_is_stable_with_its_members_and_they_carry_on_heartbeating()
    {
        (string member, int generation) = await WithClient(JoinAndSyncAsync);
        await Broker.RestartAsync();
        await using var client = await ConnectAsync();
        var heartbeat = await client.RequestAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4,
            new HeartbeatRequest { GroupId = "g", GenerationId = generation, MemberId = member });
        Assert.Equal(0, heartbeat.ErrorCode);
        var described = await client.RequestAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, new DescribeGroupsRequest { Groups = ["g"] });
        var group = described.Groups[0];
        Assert.Equal(("Stable", "range"), (group.GroupState, group.ProtocolData));
        Assert.Equal(member, Assert.Single(group.Members).MemberId);
        Assert.Equal(new byte[] { 42 }, group.Members[0].MemberAssignment.ToArray());
    }

    [Fact]
    public async Task While_groups_load_the_group_apis_answer_coordinator_load_in_progress()
    {
        await using var client = await ConnectAsync();
        var groups = Broker.Host.Broker.Groups;
        groups.BeginLoading();
        try
        {
            var join = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join(""));
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, join.ErrorCode);
            var heartbeat = await client.RequestAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4, new HeartbeatRequest { GroupId = "g", MemberId = "m" });
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, heartbeat.ErrorCode);
            var fetch = await client.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
            {
                Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "g", Topics = null }],
            });
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, fetch.Groups[0].ErrorCode);
            var fetchV5 = await client.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 5, new OffsetFetchRequest { GroupId = "g", Topics = null });
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, fetchV5.ErrorCode);
            var list = await client.RequestAsync<ListGroupsResponse>(ApiKey.ListGroups, 4, new ListGroupsRequest());
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, list.ErrorCode);
            var described = await client.RequestAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, new DescribeGroupsRequest { Groups = ["g"] });
            Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, described.Groups[0].ErrorCode);
        }
        finally
        {
            groups.Load([]);
        }
        var ok = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join(""));
        Assert.Equal((short)ErrorCode.MemberIdRequired, ok.ErrorCode);
    }

    private async Task<T> WithClient<T>(Func<WireClient, Task<T>> body)
    {
        await using var client = await ConnectAsync();
        return await body(client);
    }
}
