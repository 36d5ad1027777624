using Rill.Coordination.Groups;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;
using static Rill.Coordination.Tests.GroupTestKit;

namespace Rill.Coordination.Tests;

/// <summary>The KIP-848 consumer group: epochs, revocation before assignment, leaving, fencing.</summary>
public class ConsumerGroupTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeTopicCatalog _topics = new();
    private readonly MemoryGroupStateLog _log = new();
    private static readonly ConsumerGroupOptions Options = new() { SessionTimeoutMs = 10_000, HeartbeatIntervalMs = 1_000 };
    private GroupCoordinator _groups;
    private readonly Guid _t;

    public ConsumerGroupTests()
    {
        _t = _topics.Add("t", 4);
        _groups = new GroupCoordinator(new GroupCoordinatorOptions(), _time, _log, _topics, Options);
    }

    [Fact]
    public async Task After_a_restart_members_carry_on_from_their_epochs_and_keep_their_partitions()
    {
        await Send(Join("a"));
        await Send(Join("b"));
        var aKept = (await Send(Beat("a", 1))).Assignment!;
        int aEpoch = (await Send(Beat("a", 1, aKept))).MemberEpoch;
        ConsumerHeartbeatResult b = await Send(Beat("b", 2));
        Assert.Equal(2, b.Assignment!.Count);
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", b.MemberEpoch, "b", null, [("t", 1, new CommittedOffset(9, -1, "", 0))], 9)));
        int before = _log.Records.Count;
        await Send(Beat("b", b.MemberEpoch));
        await Send(Beat("b", b.MemberEpoch));
        Assert.Equal(before, _log.Records.Count); // heartbeats that change nothing write nothing

        _groups.Dispose();
        _groups = new GroupCoordinator(new GroupCoordinatorOptions(), _time, _log, _topics, Options);
        _groups.Load(_log.Records);

        ConsumerGroupDescription loaded = await Settle(_groups.DescribeConsumerGroupAsync("g"));
        Assert.Equal(ErrorCode.None, loaded.Error);
        Assert.Equal(["a", "b"], loaded.Members.Select(m => m.MemberId).Order());
        Assert.True(aKept.SetEquals(loaded.Members.Single(m => m.MemberId == "a").Assignment));

        // Same epochs are accepted; the group moves on to a new epoch without moving partitions.
        ConsumerHeartbeatResult a2 = await Send(Beat("a", aEpoch, aKept));
        Assert.Equal(ErrorCode.None, a2.Error);
        Assert.True(a2.MemberEpoch > aEpoch);
        ConsumerHeartbeatResult b2 = await Send(Beat("b", b.MemberEpoch, b.Assignment));
        Assert.Equal(ErrorCode.None, b2.Error);
        Assert.True(b.Assignment.SetEquals((await Settle(_groups.DescribeConsumerGroupAsync("g"))).Members.Single(m => m.MemberId == "b").Assignment));
        Assert.Equal(9, _groups.FetchOffset("g", "t", 1)!.Value.Offset);

        // A member that left is gone after the next restart too.
        await Send(Beat("a", a2.MemberEpoch) with { MemberEpoch = -1 });
        _groups.Dispose();
        _groups = new GroupCoordinator(new GroupCoordinatorOptions(), _time, _log, _topics, Options);
        _groups.Load(_log.Records);
        Assert.Equal("b", Assert.Single((await Settle(_groups.DescribeConsumerGroupAsync("g"))).Members).MemberId);
    }

    private static ConsumerHeartbeat Join(string member, string[]? topics = null, string? instance = null, string? assignor = null) =>
        new("g", member, 0, instance, null, 30_000, topics ?? ["t"], null, assignor, new HashSet<TopicIdPartition>(), "client", "/127.0.0.1", 1);

    private static ConsumerHeartbeat Beat(string member, int epoch, IReadOnlySet<TopicIdPartition>? owned = null) =>
        new("g", member, epoch, null, null, -1, null, null, null, owned, "client", "/127.0.0.1", 1);

    private Task<ConsumerHeartbeatResult> Send(ConsumerHeartbeat h) => Settle(_groups.ConsumerHeartbeatAsync(h));

    private IEnumerable<int> Partitions(IReadOnlySet<TopicIdPartition>? a) => a!.Where(p => p.TopicId == _t).Select(p => p.Partition).Order();

    [Fact]
    public async Task A_second_member_gets_partitions_only_after_the_first_revoked_them()
    {
        ConsumerHeartbeatResult a = await Send(Join("a"));
        Assert.Equal((ErrorCode.None, 1), (a.Error, a.MemberEpoch));
        Assert.Equal([0, 1, 2, 3], Partitions(a.Assignment));
        Assert.Equal(1_000, a.HeartbeatIntervalMs);

        ConsumerHeartbeatResult b = await Send(Join("b"));
        Assert.Equal(ErrorCode.None, b.Error);
        Assert.Equal(2, b.MemberEpoch);
        Assert.Empty(b.Assignment!); // a still owns everything

        // a is told to revoke two partitions and stays at epoch 1 until it has.
        ConsumerHeartbeatResult revoke = await Send(Beat("a", 1));
        Assert.Equal(1, revoke.MemberEpoch);
        var kept = revoke.Assignment!;
        Assert.Equal(2, kept.Count);
        Assert.Equal(ConsumerGroupState.Reconciling, (await Settle(_groups.DescribeConsumerGroupAsync("g"))).State);

        ConsumerHeartbeatResult waiting = await Send(Beat("b", 2));
        Assert.True(waiting.Assignment is null || waiting.Assignment.Count == 0);

        ConsumerHeartbeatResult revoked = await Send(Beat("a", 1, kept));
        Assert.Equal(2, revoked.MemberEpoch);

        ConsumerHeartbeatResult got = await Send(Beat("b", 2));
        Assert.Equal(2, got.Assignment!.Count);
        Assert.False(got.Assignment.Overlaps(kept), "assignments are disjoint");
        Assert.Equal([0, 1, 2, 3], Partitions(got.Assignment.Concat(kept).ToHashSet()));

        ConsumerGroupDescription described = await Settle(_groups.DescribeConsumerGroupAsync("g"));
        Assert.Equal((ConsumerGroupState.Stable, 2, 2, "uniform"), (described.State, described.GroupEpoch, described.AssignmentEpoch, described.AssignorName));
        Assert.All(described.Members, m => Assert.Equal(2, m.Assignment.Count));
    }

    [Fact]
    public async Task When_a_member_leaves_the_other_takes_its_partitions_and_a_silent_one_expires()
    {
        await Send(Join("a"));
        await Send(Join("b"));
        var kept = (await Send(Beat("a", 1))).Assignment!;
        await Send(Beat("a", 1, kept));
        var bAssigned = (await Send(Beat("b", 2))).Assignment!;

        ConsumerHeartbeatResult left = await Send(Beat("a", -1));
        Assert.Equal((ErrorCode.None, -1), (left.Error, left.MemberEpoch));
        ConsumerHeartbeatResult all = await Send(Beat("b", 2, bAssigned));
        Assert.Equal(3, all.MemberEpoch);
        Assert.Equal([0, 1, 2, 3], Partitions(all.Assignment));

        // c joins and then goes silent: after the session timeout b gets everything back.
        await Send(Join("c"));
        var bKeeps = (await Send(Beat("b", 3, all.Assignment))).Assignment!;
        await Send(Beat("b", 3, bKeeps));
        await Send(Beat("c", 4));
        for (int i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            await Send(Beat("b", (await Settle(_groups.DescribeConsumerGroupAsync("g"))).Members.Single(m => m.MemberId == "b").MemberEpoch));
        }
        ConsumerGroupDescription described = await Settle(_groups.DescribeConsumerGroupAsync("g"));
        Assert.Equal("b", Assert.Single(described.Members).MemberId);
        Assert.Equal(4, described.Members[0].Assignment.Count);
    }

    [Fact]
    public async Task Stale_and_unknown_members_are_fenced_and_bad_requests_refused()
    {
        await Send(Join("a"));
        Assert.Equal(ErrorCode.FencedMemberEpoch, (await Send(Beat("a", 7))).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await Send(Beat("zz", 1))).Error);
        Assert.Equal(ErrorCode.UnsupportedAssignor, (await Send(Join("x", assignor: "sticky"))).Error);
        Assert.Equal(ErrorCode.InvalidRequest, (await Send(Join("x") with { SubscribedTopicNames = null })).Error);
        Assert.Equal(ErrorCode.InvalidRequest, (await Send(Join("") with { ApiVersion = 1 })).Error);
        Assert.Equal(ErrorCode.InvalidRequest, (await Send(Join("x") with { RebalanceTimeoutMs = -1 })).Error);
        Assert.Equal(ErrorCode.InvalidRegularExpression, (await Send(Join("x") with { SubscribedTopicNames = null, SubscribedTopicRegex = "(" })).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await Send(Join("x") with { GroupId = "" })).Error);

        // v0: the coordinator generates the member id.
        ConsumerHeartbeatResult generated = await Send(Join("") with { ApiVersion = 0 });
        Assert.Equal(ErrorCode.None, generated.Error);
        Assert.False(string.IsNullOrEmpty(generated.MemberId));

        // A classic group with members is not a consumer group.
        var classic = await new GroupTestKit(_groups, _time).StableGroupAsync("classic", 1);
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Send(Join("x") with { GroupId = "classic" })).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await Settle(_groups.JoinAsync(GroupTestKit.Join("g", "")))).Error);
        _ = classic;
    }

    [Fact]
    public async Task Commits_and_offset_fetches_check_the_member_epoch()
    {
        ConsumerHeartbeatResult a = await Send(Join("a"));
        var offsets = new List<(string, int, CommittedOffset)> { ("t", 0, new CommittedOffset(3, -1, "", 0)) };
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", a.MemberEpoch, "a", null, offsets, 9)));
        Assert.Equal(ErrorCode.StaleMemberEpoch, await Settle(_groups.CommitAsync("g", a.MemberEpoch + 1, "a", null, offsets, 9)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.CommitAsync("g", 1, "nobody", null, offsets, 9)));
        Assert.Equal(ErrorCode.UnsupportedVersion, await Settle(_groups.CommitAsync("g", 1, "a", null, offsets, 8)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.CommitAsync("g", -1, "", null, offsets, 9)));
        Assert.Equal(ErrorCode.None, await Settle(_groups.ValidateOffsetFetchAsync("g", "a", a.MemberEpoch)));
        Assert.Equal(ErrorCode.StaleMemberEpoch, await Settle(_groups.ValidateOffsetFetchAsync("g", "a", 99)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.ValidateOffsetFetchAsync("g", "b", 1)));

        var listed = await Settle(_groups.ListAsync());
        Assert.Equal(("g", "consumer", "Stable", "consumer"), Assert.Single(listed));
        Assert.Equal(ErrorCode.NonEmptyGroup, await Settle(_groups.DeleteAsync("g")));
        await Send(Beat("a", -1));
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", -1, "", null, offsets, 9)));
        Assert.Equal(ErrorCode.None, await Settle(_groups.DeleteAsync("g")));
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Settle(_groups.DescribeConsumerGroupAsync("g"))).Error);
    }

    [Fact]
    public async Task A_static_member_that_steps_out_comes_back_with_its_partitions_and_epoch()
    {
        ConsumerHeartbeatResult first = await Send(Join("a1", instance: "i"));
        ConsumerHeartbeatResult other = await Send(Join("b"));
        var kept = (await Send(Beat("a1", first.MemberEpoch))).Assignment!;
        int epoch = (await Send(Beat("a1", first.MemberEpoch, kept))).MemberEpoch;
        await Send(Beat("b", other.MemberEpoch));

        ConsumerHeartbeatResult stepOut = await Send(Beat("a1", -2) with { InstanceId = "i" });
        Assert.Equal(-2, stepOut.MemberEpoch);
        Assert.Equal(ErrorCode.UnknownMemberId, (await Send(Beat("a1", epoch))).Error);

        ConsumerHeartbeatResult back = await Send(Join("a2", instance: "i"));
        Assert.Equal(ErrorCode.None, back.Error);
        Assert.True(kept.SetEquals(back.Assignment!));
        var described = await Settle(_groups.DescribeConsumerGroupAsync("g"));
        Assert.Equal(["a2", "b"], described.Members.Select(m => m.MemberId).Order());
    }

    [Fact]
    public async Task A_second_incarnation_of_a_live_static_member_is_refused()
    {
        await Send(Join("a1", instance: "i"));
        Assert.Equal(ErrorCode.UnreleasedInstanceId, (await Send(Join("a2", instance: "i"))).Error);
    }

    [Fact]
    public async Task A_topic_that_gains_partitions_is_assigned_at_the_next_heartbeat()
    {
        ConsumerHeartbeatResult a = await Send(Join("a", ["t", "later"]));
        Assert.Equal(4, a.Assignment!.Count);
        Guid later = _topics.Add("later", 2);
        ConsumerHeartbeatResult next = await Send(Beat("a", a.MemberEpoch, a.Assignment));
        Assert.Equal(a.MemberEpoch + 1, next.MemberEpoch);
        Assert.Equal(2, next.Assignment!.Count(p => p.TopicId == later));
    }
}

internal sealed class FakeTopicCatalog : ITopicCatalog
{
    private readonly List<TopicInfo> _topics = [];

    public Guid Add(string name, int partitions)
    {
        var id = Guid.NewGuid();
        lock (_topics)
        {
            _topics.Add(new TopicInfo(id, name, partitions));
        }
        return id;
    }

    public TopicInfo? Find(string name) { lock (_topics) { return _topics.FirstOrDefault(t => t.Name == name); } }
    public TopicInfo? Find(Guid id) { lock (_topics) { return _topics.FirstOrDefault(t => t.Id == id); } }
    public IEnumerable<TopicInfo> All() { lock (_topics) { return _topics.ToList(); } }
}
