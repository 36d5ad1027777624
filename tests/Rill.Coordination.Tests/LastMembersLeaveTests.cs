using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Coordination.Tests;

/// <summary>
/// A classic group whose last members leave completes its join phase at once and becomes Empty
/// (Kafka: nobody is left to wait for), rather than sitting in PreparingRebalance with no members
/// until the rebalance timeout.
/// </summary>
public class LastMembersLeaveTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryGroupStateLog _log = new();
    private readonly GroupCoordinator _groups;
    private readonly GroupTestKit _kit;

    public LastMembersLeaveTests()
    {
        _groups = new GroupCoordinator(new GroupCoordinatorOptions { InitialRebalanceDelayMs = 100 }, _time, _log);
        _kit = new GroupTestKit(_groups, _time);
    }

    [Fact]
    public async Task Both_members_leaving_one_after_the_other_leave_an_empty_group_without_waiting_for_the_rebalance_timeout()
    {
        var ids = await _kit.StableGroupAsync("g", 2);
        Assert.Equal(ErrorCode.None, (await GroupTestKit.Settle(_groups.LeaveAsync("g", [(ids[0], null)])))[0].Error);
        Assert.Equal(GroupState.PreparingRebalance, (await GroupTestKit.Settle(_groups.DescribeAsync("g"))).State);

        // The second member leaves before rejoining: nobody is left to wait for. The clock does not move.
        Assert.Equal(ErrorCode.None, (await GroupTestKit.Settle(_groups.LeaveAsync("g", [(ids[1], null)])))[0].Error);
        GroupDescription described = await GroupTestKit.Settle(_groups.DescribeAsync("g"));
        Assert.Equal((GroupState.Empty, 0), (described.State, described.Members.Count));

        // Empty means offsets may be committed outside the group protocol and the group may be deleted.
        var offsets = new List<(string, int, CommittedOffset)> { ("t", 0, new CommittedOffset(5, -1, null, 0)) };
        Assert.Equal(ErrorCode.None, await GroupTestKit.Settle(_groups.CommitAsync("g", -1, "", null, offsets)));
        Assert.Equal(ErrorCode.None, await GroupTestKit.Settle(_groups.DeleteAsync("g")));
    }

    [Fact]
    public async Task A_rebalancing_group_whose_remaining_member_expires_becomes_empty_and_a_new_member_starts_a_new_generation()
    {
        var ids = await _kit.StableGroupAsync("g", 2);
        int generation = 1;
        Assert.Equal(ErrorCode.None, (await GroupTestKit.Settle(_groups.LeaveAsync("g", [(ids[0], null)])))[0].Error);
        // The other member never rejoins; its session (10 s) ends before the rebalance timeout (30 s).
        _time.Advance(TimeSpan.FromSeconds(11));
        GroupDescription described = default!;
        for (int i = 0; i < 200; i++)
        {
            described = await GroupTestKit.Settle(_groups.DescribeAsync("g"));
            if (described.State == GroupState.Empty)
            {
                break;
            }
            await Task.Delay(10);
        }
        Assert.Equal((GroupState.Empty, 0), (described.State, described.Members.Count));

        JoinResult first = await GroupTestKit.Settle(_groups.JoinAsync(GroupTestKit.Join("g", "")));
        JoinResult joined = await GroupTestKit.AdvanceUntil(_time, _groups.JoinAsync(GroupTestKit.Join("g", first.MemberId)), TimeSpan.FromMilliseconds(50));
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.True(joined.GenerationId > generation);
    }

    [Fact]
    public async Task The_last_member_leaving_during_the_initial_rebalance_delay_leaves_an_empty_group()
    {
        JoinResult first = await GroupTestKit.Settle(_groups.JoinAsync(GroupTestKit.Join("g", "")));
        Task<JoinResult> parked = _groups.JoinAsync(GroupTestKit.Join("g", first.MemberId));
        await Task.Delay(20);
        Assert.Equal(GroupState.PreparingRebalance, (await GroupTestKit.Settle(_groups.DescribeAsync("g"))).State);
        Assert.Equal(ErrorCode.None, (await GroupTestKit.Settle(_groups.LeaveAsync("g", [(first.MemberId, null)])))[0].Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await GroupTestKit.Settle(parked)).Error);
        GroupDescription described = await GroupTestKit.Settle(_groups.DescribeAsync("g"));
        Assert.Equal((GroupState.Empty, 0), (described.State, described.Members.Count));
    }
}
