using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Bad group requests get Kafka's error codes, and leave the group and its offsets as they were.</summary>
public class GroupBadInputTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["group.initial.rebalance.delay.ms"] = "0",
        ["offsets.topic.num.partitions"] = "2",
    };

    private static JoinGroupRequest Join(string group, string memberId, byte[]? metadata = null, string protocolType = "consumer", int session = 30_000) => new()
    {
        GroupId = group, SessionTimeoutMs = session, RebalanceTimeoutMs = 30_000, MemberId = memberId, ProtocolType = protocolType,
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = metadata ?? new byte[] { 0, 1, 0, 0, 0, 0, 255, 255, 255, 255 } }],
    };

    /// <summary>A stable one-member group "g" with a commit of offset 5 on t-0.</summary>
    private async Task<(string Member, int Generation)> StableGroupWithCommitAsync(WireClient client)
    {
        await CreateTopicAsync(client, "t", 2);
        var first = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g", ""));
        var joined = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g", first.MemberId));
        var sync = await client.RequestAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest
        {
            GroupId = "g", GenerationId = joined.GenerationId, MemberId = joined.MemberId, ProtocolType = "consumer", ProtocolName = "range",
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = new byte[] { 1 } }],
        });
        Assert.Equal(0, sync.ErrorCode);
        Assert.Equal(new short[] { 0 }, await CommitAsync(client, "g", joined.GenerationId, joined.MemberId, ("t", 0, 5, "")));
        return (joined.MemberId, joined.GenerationId);
    }

    private static async Task<short[]> CommitAsync(WireClient client, string group, int generation, string member, params (string Topic, int Partition, long Offset, string? Metadata)[] offsets)
    {
        var request = new OffsetCommitRequest { GroupId = group, GenerationIdOrMemberEpoch = generation, MemberId = member };
        foreach (var g in offsets.GroupBy(o => o.Topic))
        {
            request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = g.Key,
                Partitions = g.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedMetadata = o.Metadata,
                }).ToList(),
            });
        }
        var response = await client.RequestAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, request);
        return response.Topics.SelectMany(t => t.Partitions.Select(p => p.ErrorCode)).ToArray();
    }

    private static async Task<long> CommittedAsync(WireClient client, string group, string topic, int partition)
    {
        var response = await client.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup
            {
                GroupId = group,
                Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic, PartitionIndexes = [partition] }],
            }],
        });
        Assert.Equal(0, response.Groups[0].ErrorCode);
        return response.Groups[0].Topics[0].Partitions[0].CommittedOffset;
    }

    private static async Task<(string State, int Members)> DescribeAsync(WireClient client, string group)
    {
        var d = await client.RequestAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, new DescribeGroupsRequest { Groups = [group] });
        return (d.Groups[0].GroupState, d.Groups[0].Members.Count);
    }

    [Fact]
    public async Task Bad_commits_get_kafkas_errors_and_change_nothing()
    {
        await using var client = await ConnectAsync();
        var (member, generation) = await StableGroupWithCommitAsync(client);

        Assert.Equal(new[] { (short)ErrorCode.UnknownTopicOrPartition, (short)ErrorCode.UnknownTopicOrPartition },
            await CommitAsync(client, "g", generation, member, ("nope", 0, 9, ""), ("t", 7, 9, "")));
        Assert.Equal(new[] { (short)ErrorCode.IllegalGeneration }, await CommitAsync(client, "g", generation + 3, member, ("t", 0, 9, "")));
        Assert.Equal(new[] { (short)ErrorCode.UnknownMemberId }, await CommitAsync(client, "g", generation, "stranger", ("t", 0, 9, "")));
        Assert.Equal(new[] { (short)ErrorCode.UnknownMemberId }, await CommitAsync(client, "g", -1, "", ("t", 0, 9, "")));
        Assert.Equal(new[] { (short)ErrorCode.OffsetMetadataTooLarge }, await CommitAsync(client, "g", generation, member, ("t", 0, 9, new string('m', 4097))));
        Assert.Equal(new[] { (short)ErrorCode.InvalidGroupId }, await CommitAsync(client, "", generation, member, ("t", 0, 9, "")));

        Assert.Equal(5, await CommittedAsync(client, "g", "t", 0));
        Assert.Equal(-1, await CommittedAsync(client, "g", "t", 1));
        Assert.Equal(("Stable", 1), await DescribeAsync(client, "g"));
        var heartbeat = await client.RequestAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4, new HeartbeatRequest { GroupId = "g", GenerationId = generation, MemberId = member });
        Assert.Equal(0, heartbeat.ErrorCode);
    }

    [Fact]
    public async Task Bad_joins_and_requests_for_unknown_groups_get_kafkas_errors()
    {
        await using var client = await ConnectAsync();
        var (member, generation) = await StableGroupWithCommitAsync(client);

        Assert.Equal((short)ErrorCode.InvalidGroupId, (await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("", ""))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout, (await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g", "", session: 10))).ErrorCode);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol,
            (await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 5, Join("g", "", protocolType: "connect"))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("g", "made-up"))).ErrorCode);

        var heartbeat = await client.RequestAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4, new HeartbeatRequest { GroupId = "nobody", GenerationId = 1, MemberId = "m" });
        Assert.Equal((short)ErrorCode.UnknownMemberId, heartbeat.ErrorCode);
        var sync = await client.RequestAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest { GroupId = "nobody", GenerationId = 1, MemberId = "m" });
        Assert.Equal((short)ErrorCode.UnknownMemberId, sync.ErrorCode);
        var deleted = await client.RequestAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, new DeleteGroupsRequest { GroupsNames = ["nobody", "g"] });
        Assert.Equal(new[] { (short)ErrorCode.GroupIdNotFound, (short)ErrorCode.NonEmptyGroup }, deleted.Results.Select(r => r.ErrorCode));
        Assert.Equal(("Dead", 0), await DescribeAsync(client, "nobody"));
        Assert.Equal(-1, await CommittedAsync(client, "nobody", "t", 0));

        // None of it disturbed g.
        Assert.Equal(("Stable", 1), await DescribeAsync(client, "g"));
        Assert.Equal(5, await CommittedAsync(client, "g", "t", 0));
        var ok = await client.RequestAsync<HeartbeatResponse>(ApiKey.Heartbeat, 4, new HeartbeatRequest { GroupId = "g", GenerationId = generation, MemberId = member });
        Assert.Equal(0, ok.ErrorCode);
    }

    [Fact]
    public async Task Group_metadata_too_large_for_the_offsets_topic_fails_the_sync_without_corrupting_the_group()
    {
        await using var client = await ConnectAsync();
        var (member, generation) = await StableGroupWithCommitAsync(client);

        // A subscription larger than message.max.bytes: the group record cannot be written.
        byte[] huge = new byte[1_100_000];
        var first = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("big", "", huge));
        var leader = await client.RequestAsync<JoinGroupResponse>(ApiKey.JoinGroup, 9, Join("big", first.MemberId, huge));
        Assert.Equal(0, leader.ErrorCode);
        var sync = await client.RequestAsync<SyncGroupResponse>(ApiKey.SyncGroup, 5, new SyncGroupRequest
        {
            GroupId = "big", GenerationId = leader.GenerationId, MemberId = leader.MemberId, ProtocolType = "consumer", ProtocolName = "range",
        });
        Assert.Equal((short)ErrorCode.UnknownServerError, sync.ErrorCode);
        Assert.NotEqual("Stable", (await DescribeAsync(client, "big")).State);

        // The other group and its offsets are untouched.
        Assert.Equal(("Stable", 1), await DescribeAsync(client, "g"));
        Assert.Equal(5, await CommittedAsync(client, "g", "t", 0));
        Assert.Equal(new short[] { 0 }, await CommitAsync(client, "g", generation, member, ("t", 0, 6, "")));
    }
}
