using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Coordination.Tests;

public class GroupCoordinatorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly GroupCoordinator _groups;

    public GroupCoordinatorTests() => _groups = new GroupCoordinator(new GroupCoordinatorOptions { InitialRebalanceDelayMs = 100 }, _time);

    private static JoinRequest Join(string memberId, string? instance = null, string protocol = "range") =>
        new("g", memberId, instance, "client", "/127.0.0.1", 10_000, 30_000, "consumer", [new JoinProtocol(protocol, new byte[] { 1 })], RequireKnownMemberId: true);

    /// <summary>Lets the group executors run posted work.</summary>
    private static async Task<T> Settle<T>(Task<T> task)
    {
        for (int i = 0; i < 200 && !task.IsCompleted; i++)
        {
            await Task.Delay(5);
        }
        return await task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task<(string Id, JoinResult Result)> JoinNewMemberAsync(string? instance = null)
    {
        JoinResult first = await Settle(_groups.JoinAsync(Join("", instance)));
        if (instance is null)
        {
            Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        }
        return (first.MemberId, first);
    }

    [Fact]
    public async Task Two_members_join_one_generation_with_the_leader_seeing_everyone_then_sync()
    {
        var (a, _) = await JoinNewMemberAsync();
        var (b, _) = await JoinNewMemberAsync();
        Task<JoinResult> joinA = _groups.JoinAsync(Join(a));
        Task<JoinResult> joinB = _groups.JoinAsync(Join(b));
        // The group's loop runs posted work in order: once a describe posted after both joins has
        // answered, both joins have been handled, and only the (fake) clock can complete them.
        await Settle(_groups.DescribeAsync("g"));
        Assert.False(joinA.IsCompleted, "the initial rebalance delay holds the join");
        JoinResult ra = await GroupTestKit.AdvanceUntil(_time, joinA, TimeSpan.FromMilliseconds(50)), rb = await Settle(joinB);
        Assert.Equal((ErrorCode.None, ErrorCode.None), (ra.Error, rb.Error));
        Assert.Equal(1, ra.GenerationId);
        Assert.Equal(ra.Leader, rb.Leader);
        JoinResult leader = ra.Leader == a ? ra : rb;
        Assert.Equal(2, leader.Members.Count);
        Assert.Empty((ra.Leader == a ? rb : ra).Members);

        string follower = leader.MemberId == a ? b : a;
        Task<SyncResult> followerSync = _groups.SyncAsync("g", 1, follower, null, new Dictionary<string, ReadOnlyMemory<byte>>());
        SyncResult leaderSync = await Settle(_groups.SyncAsync("g", 1, leader.MemberId, null,
            new Dictionary<string, ReadOnlyMemory<byte>> { [a] = new byte[] { 0xA }, [b] = new byte[] { 0xB } }));
        SyncResult fs = await Settle(followerSync);
        Assert.Equal(ErrorCode.None, leaderSync.Error);
        Assert.Equal(follower == a ? 0xA : 0xB, fs.Assignment.Span[0]);
        Assert.Equal(ErrorCode.None, await Settle(_groups.HeartbeatAsync("g", 1, a, null)));
        Assert.Equal(ErrorCode.IllegalGeneration, await Settle(_groups.HeartbeatAsync("g", 0, a, null)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.HeartbeatAsync("g", 1, "nobody", null)));
    }

    private async Task<(string A, string B)> StableGroupOfTwoAsync()
    {
        var (a, _) = await JoinNewMemberAsync();
        var (b, _) = await JoinNewMemberAsync();
        Task<JoinResult> ja = _groups.JoinAsync(Join(a)), jb = _groups.JoinAsync(Join(b));
        JoinResult ra = await GroupTestKit.AdvanceUntil(_time, ja, TimeSpan.FromMilliseconds(50));
        await Settle(jb);
        Task<SyncResult> sa = _groups.SyncAsync("g", ra.GenerationId, a, null, new Dictionary<string, ReadOnlyMemory<byte>>());
        Task<SyncResult> sb = _groups.SyncAsync("g", ra.GenerationId, b, null, new Dictionary<string, ReadOnlyMemory<byte>>());
        await Settle(sa);
        await Settle(sb);
        return (a, b);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_its_session_timeout()
    {
        var (a, b) = await StableGroupOfTwoAsync();
        _time.Advance(TimeSpan.FromMilliseconds(6000));
        Assert.Equal(ErrorCode.None, await Settle(_groups.HeartbeatAsync("g", 1, a, null)));
        _time.Advance(TimeSpan.FromMilliseconds(6000));   // b silent for 12 s > 10 s session
        await Task.Delay(50);
        Assert.Equal(ErrorCode.RebalanceInProgress, await Settle(_groups.HeartbeatAsync("g", 1, a, null)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.HeartbeatAsync("g", 1, b, null)));
        JoinResult rejoin = await Settle(_groups.JoinAsync(Join(a)));
        Assert.Equal((ErrorCode.None, 2, a), (rejoin.Error, rejoin.GenerationId, rejoin.Leader));
        Assert.Single(rejoin.Members);
    }

    [Fact]
    public async Task Leaving_triggers_a_rebalance_and_commits_are_fenced_by_generation()
    {
        var (a, b) = await StableGroupOfTwoAsync();
        var offsets = new List<(string, int, CommittedOffset)> { ("t", 0, new CommittedOffset(42, -1, null, 0)) };
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", 1, a, null, offsets)));
        Assert.Equal(42, _groups.FetchOffset("g", "t", 0)!.Value.Offset);
        Assert.Equal(ErrorCode.IllegalGeneration, await Settle(_groups.CommitAsync("g", 7, a, null, offsets)));
        Assert.Equal(ErrorCode.UnknownMemberId, await Settle(_groups.CommitAsync("g", -1, "", null, offsets)));

        var left = await Settle(_groups.LeaveAsync("g", [(b, null)]));
        Assert.Equal(ErrorCode.None, left[0].Error);
        // Preparing a rebalance: commits for the current generation still count (Kafka allows them).
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", 1, a, null, offsets)));
        Assert.Equal(ErrorCode.NonEmptyGroup, await Settle(_groups.DeleteAsync("g")));
    }

    [Fact]
    public async Task A_static_member_restarting_gets_its_assignment_back_without_a_rebalance()
    {
        // Static members skip MEMBER_ID_REQUIRED; the first join waits out the initial delay.
        JoinResult joined = await GroupTestKit.AdvanceUntil(_time, _groups.JoinAsync(Join("", "instance-1")), TimeSpan.FromMilliseconds(50));
        Assert.Equal(ErrorCode.None, joined.Error);
        await Settle(_groups.SyncAsync("g", joined.GenerationId, joined.MemberId, "instance-1",
            new Dictionary<string, ReadOnlyMemory<byte>> { [joined.MemberId] = new byte[] { 7 } }));

        JoinResult restarted = await Settle(_groups.JoinAsync(Join("", "instance-1")));
        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.Equal(joined.GenerationId, restarted.GenerationId);
        Assert.NotEqual(joined.MemberId, restarted.MemberId);
        SyncResult sync = await Settle(_groups.SyncAsync("g", restarted.GenerationId, restarted.MemberId, "instance-1", new Dictionary<string, ReadOnlyMemory<byte>>()));
        Assert.Equal((ErrorCode.None, (byte)7), (sync.Error, sync.Assignment.Span[0]));
        Assert.Equal(ErrorCode.FencedInstanceId, await Settle(_groups.HeartbeatAsync("g", joined.GenerationId, joined.MemberId, "instance-1")));
    }

    [Fact]
    public async Task Inconsistent_protocols_and_bad_session_timeouts_are_refused()
    {
        var (a, _) = await JoinNewMemberAsync();
        await GroupTestKit.AdvanceUntil(_time, _groups.JoinAsync(Join(a)), TimeSpan.FromMilliseconds(50));
        JoinResult other = await Settle(_groups.JoinAsync(Join("", protocol: "roundrobin") with { RequireKnownMemberId = false }));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, other.Error);
        JoinResult tooShort = await Settle(_groups.JoinAsync(Join("") with { SessionTimeoutMs = 10 }));
        Assert.Equal(ErrorCode.InvalidSessionTimeout, tooShort.Error);
        JoinResult noGroup = await Settle(_groups.JoinAsync(Join("") with { GroupId = "" }));
        Assert.Equal(ErrorCode.InvalidGroupId, noGroup.Error);
    }
}
