using Rill.Coordination.Groups;
using Rill.Protocol;
using static Rill.Coordination.Tests.GroupTestKit;

namespace Rill.Coordination.Tests;

/// <summary>
/// Cluster placement of groups: only the groups whose __consumer_offsets partition this broker leads are
/// served (NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS for the others), a partition's groups are loaded
/// when its leadership arrives and forgotten when it leaves.
/// </summary>
public class GroupPlacementTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryGroupStateLog _log = new();
    private static readonly GroupCoordinatorOptions Options = new() { InitialRebalanceDelayMs = 100 };

    private static List<(string, int, CommittedOffset)> Offset(long offset) => [("t", 0, new CommittedOffset(offset, -1, "", 0))];

    [Fact]
    public async Task Groups_placed_elsewhere_or_still_loading_answer_the_placement_error_and_nothing_is_written()
    {
        using var coordinator = new GroupCoordinator(Options, _time, _log)
        {
            Placement = group => group switch
            {
                "here" => ErrorCode.None,
                "loading" => ErrorCode.CoordinatorLoadInProgress,
                _ => ErrorCode.NotCoordinator,
            },
        };
        Assert.Equal(ErrorCode.NotCoordinator, await Settle(coordinator.CommitAsync("elsewhere", -1, "", null, Offset(3))));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await Settle(coordinator.CommitAsync("loading", -1, "", null, Offset(3))));
        Assert.Equal(ErrorCode.NotCoordinator, await Settle(coordinator.HeartbeatAsync("elsewhere", 1, "m", null)));
        Assert.Equal(ErrorCode.NotCoordinator, (await Settle(coordinator.DescribeAsync("elsewhere"))).Error);
        Assert.Equal(ErrorCode.NotCoordinator, await Settle(coordinator.DeleteAsync("elsewhere")));
        Assert.Empty(_log.Records);

        Assert.Equal(ErrorCode.None, await Settle(coordinator.CommitAsync("here", -1, "", null, Offset(3))));
        Assert.Equal(3, coordinator.FetchOffset("here", "t", 0)!.Value.Offset);
        Assert.Single(_log.Records);
    }

    [Fact]
    public async Task A_partition_loaded_on_election_is_served_and_unloading_it_forgets_only_its_groups()
    {
        // A former leader wrote two stable groups with offsets.
        using (var former = new GroupCoordinator(Options, _time, _log))
        {
            var kit = new GroupTestKit(former, _time);
            var a = await kit.StableGroupAsync("a", 1);
            var b = await kit.StableGroupAsync("b", 1);
            Assert.Equal(ErrorCode.None, await Settle(former.CommitAsync("a", 1, a[0], null, Offset(10))));
            Assert.Equal(ErrorCode.None, await Settle(former.CommitAsync("b", 1, b[0], null, Offset(20))));
        }

        // The new leader loads the partition (both groups here) and serves it.
        using var leader = new GroupCoordinator(Options, _time, _log) { Placement = _ => ErrorCode.None };
        int applied = leader.LoadPartition(_log.Records, () => []);
        Assert.True(applied >= 4, $"{applied} records applied");
        Assert.Equal((10L, 20L), (leader.FetchOffset("a", "t", 0)!.Value.Offset, leader.FetchOffset("b", "t", 0)!.Value.Offset));
        Assert.Equal(GroupState.Stable, (await Settle(leader.DescribeAsync("a"))).State);

        // Resignation of the partition holding "a": its group and offsets go, "b" stays.
        Assert.Equal(1, leader.Unload(group => group == "a"));
        Assert.Null(leader.FetchOffset("a", "t", 0));
        Assert.Empty(leader.FetchAllOffsets("a"));
        Assert.Equal(20, leader.FetchOffset("b", "t", 0)!.Value.Offset);
        Assert.Equal(["b"], (await leader.ListAsync()).Select(g => g.GroupId));

        // Elected again: loading the same log brings "a" back as it was.
        leader.LoadPartition(_log.Records, () => []);
        Assert.Equal(10, leader.FetchOffset("a", "t", 0)!.Value.Offset);
        Assert.Equal(GroupState.Stable, (await Settle(leader.DescribeAsync("a"))).State);
    }

    [Fact]
    public void Unloading_drops_the_pending_transactional_offsets_of_the_partition_groups()
    {
        using var coordinator = new GroupCoordinator(Options, _time, _log) { Placement = _ => ErrorCode.None };
        coordinator.LoadPartition([], () =>
        [
            new PendingTxnOffset(7, "a", "t", 0, new CommittedOffset(1, -1, "", 0)),
            new PendingTxnOffset(7, "b", "t", 0, new CommittedOffset(2, -1, "", 0)),
        ]);
        Assert.True(coordinator.HasPendingTxnOffset("a", "t", 0));
        coordinator.Unload(group => group == "a");
        Assert.False(coordinator.HasPendingTxnOffset("a", "t", 0));
        Assert.True(coordinator.HasPendingTxnOffset("b", "t", 0));
    }
}
