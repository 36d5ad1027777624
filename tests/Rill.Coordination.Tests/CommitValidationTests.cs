using Rill.Coordination.Groups;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;
using static Rill.Coordination.Tests.GroupTestKit;

namespace Rill.Coordination.Tests;

/// <summary>
/// Which OffsetCommits a group takes, under both protocols, as Kafka 4.x decides: a commit with
/// generation/epoch -1 is a commit from outside the group protocol (assign(), the admin client, a
/// consumer that already left) and is accepted while the group has no members, whatever member id
/// it carries; members are checked by id and generation (classic) or epoch (consumer).
/// </summary>
public class CommitValidationTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeTopicCatalog _topics = new();
    private readonly MemoryGroupStateLog _log = new();
    private readonly GroupCoordinator _groups;
    private static readonly List<(string, int, CommittedOffset)> Offsets = [("t", 0, new CommittedOffset(42, -1, "meta", 0))];

    public CommitValidationTests()
    {
        _topics.Add("t", 2);
        _groups = new GroupCoordinator(new GroupCoordinatorOptions { InitialRebalanceDelayMs = 100 }, _time, _log, _topics,
            new ConsumerGroupOptions { SessionTimeoutMs = 10_000, HeartbeatIntervalMs = 1_000 });
    }

    private Task<ErrorCode> Commit(int generation, string member, string? instance = null, short version = 9)
        => Settle(_groups.CommitAsync("g", generation, member, instance, Offsets, version));

    [Fact]
    public async Task Classic_a_member_that_left_commits_with_generation_minus_one_under_its_old_id_while_the_group_is_empty()
    {
        var ids = await new GroupTestKit(_groups, _time).StableGroupAsync("g", 1);
        Assert.Equal(ErrorCode.None, await Commit(1, ids[0]));
        Assert.Equal(ErrorCode.None, (await Settle(_groups.LeaveAsync("g", [(ids[0], null)])))[0].Error);

        Assert.Equal(ErrorCode.None, await Commit(-1, ids[0]));
        Assert.Equal(ErrorCode.None, await Commit(-1, "never-a-member"));
        Assert.Equal(ErrorCode.None, await Commit(-1, ""));
        Assert.Equal(42, _groups.FetchOffset("g", "t", 0)!.Value.Offset);
        Assert.Equal("meta", _groups.FetchOffset("g", "t", 0)!.Value.Metadata);
        // A generation that is not -1 still names a member: there is none.
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(1, ids[0]));
    }

    [Fact]
    public async Task Classic_a_group_with_members_takes_commits_only_from_its_current_members_at_the_current_generation()
    {
        var ids = await new GroupTestKit(_groups, _time).StableGroupAsync("g", 2);
        Assert.Equal(ErrorCode.None, await Commit(1, ids[0]));
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(-1, ""));
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(-1, "stranger"));
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(1, ids[0], instance: "no-such-instance"));
        Assert.Equal(ErrorCode.IllegalGeneration, await Commit(-1, ids[0]));
        Assert.Equal(ErrorCode.IllegalGeneration, await Commit(2, ids[1]));
    }

    private static ConsumerHeartbeat Join(string member) =>
        new("g", member, 0, null, null, 30_000, ["t"], null, null, new HashSet<TopicIdPartition>(), "client", "/127.0.0.1", 1);

    private static ConsumerHeartbeat Leave(string member, int epoch) =>
        new("g", member, -1, null, null, -1, null, null, null, null, "client", "/127.0.0.1", 1);

    private Task<ConsumerHeartbeatResult> Send(ConsumerHeartbeat h) => Settle(_groups.ConsumerHeartbeatAsync(h));

    [Fact]
    public async Task Consumer_protocol_commits_from_outside_the_membership_are_simple_commits_while_the_group_has_no_members()
    {
        ConsumerHeartbeatResult a = await Send(Join("member-a"));
        Assert.Equal(ErrorCode.None, a.Error);
        Assert.Equal(ErrorCode.None, await Commit(a.MemberEpoch, "member-a"));
        Assert.Equal(ErrorCode.None, (await Send(Leave("member-a", a.MemberEpoch))).Error);

        // librdkafka 2.x sends its own (client-generated) member id with epoch -1 after leaving or
        // when it only uses assign(): accepted, as the group has no members.
        Assert.Equal(ErrorCode.None, await Commit(-1, "member-a"));
        Assert.Equal(ErrorCode.None, await Commit(-1, "assign-only-client"));
        Assert.Equal(ErrorCode.None, await Commit(-1, "", version: 2));
        Assert.Equal(42, _groups.FetchOffset("g", "t", 0)!.Value.Offset);
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(3, "member-a"));
    }

    [Fact]
    public async Task Consumer_protocol_members_commit_at_their_current_epoch_only()
    {
        ConsumerHeartbeatResult a = await Send(Join("member-a"));
        Assert.Equal(ErrorCode.None, await Commit(a.MemberEpoch, "member-a"));
        Assert.Equal(ErrorCode.StaleMemberEpoch, await Commit(a.MemberEpoch + 1, "member-a"));
        Assert.Equal(ErrorCode.StaleMemberEpoch, await Commit(-1, "member-a"));
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(-1, "assign-only-client"));
        Assert.Equal(ErrorCode.UnknownMemberId, await Commit(-1, ""));
        Assert.Equal(ErrorCode.UnsupportedVersion, await Commit(a.MemberEpoch, "member-a", version: 8));
    }
}
