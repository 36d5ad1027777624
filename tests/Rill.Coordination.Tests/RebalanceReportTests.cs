using System.Collections.Concurrent;
using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Coordination.Tests;

/// <summary>
/// GroupCoordinatorOptions.Rebalanced hears every completed classic rebalance, with the generation,
/// the members, the protocol, the leader and the time since the rebalance began (on the fake clock).
/// </summary>
public class RebalanceReportTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<GroupRebalance> _reports = new();
    private readonly GroupCoordinator _groups;
    private readonly GroupTestKit _kit;

    public RebalanceReportTests()
    {
        _groups = new GroupCoordinator(new GroupCoordinatorOptions { InitialRebalanceDelayMs = 100, Rebalanced = _reports.Enqueue },
            _time, new MemoryGroupStateLog());
        _kit = new GroupTestKit(_groups, _time);
    }

    [Fact]
    public async Task Stable_and_empty_are_reported_once_each_with_generation_members_leader_and_duration()
    {
        var ids = await _kit.StableGroupAsync("g", 2);
        GroupRebalance stable = Assert.Single(_reports);
        Assert.Equal(("g", "classic", 1, 2, "range"), (stable.GroupId, stable.GroupType, stable.Generation, stable.Members, stable.Protocol));
        Assert.Contains(stable.Leader, ids);
        // The join waited for the initial rebalance delay (100 ms) on the fake clock.
        Assert.InRange(stable.Duration!.Value.TotalMilliseconds, 100, 1000);

        Assert.Equal(ErrorCode.None, (await GroupTestKit.Settle(_groups.LeaveAsync("g", [(ids[0], null), (ids[1], null)])))[0].Error);
        await Eventually.TrueAsync(() => _reports.Count == 2, "the rebalance to Empty is reported");
        GroupRebalance empty = _reports.Last();
        Assert.Equal((2, 0, (string?)null, (string?)null), (empty.Generation, empty.Members, empty.Protocol, empty.Leader));
        Assert.NotNull(empty.Duration);
    }
}
