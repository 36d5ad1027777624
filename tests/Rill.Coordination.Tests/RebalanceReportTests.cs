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

/// <summary>A KIP-848 consumer group reports each new target assignment (a new group epoch), without a duration.</summary>
public class ConsumerGroupRebalanceReportTests
{
    [Fact]
    public async Task Each_member_joining_reports_a_new_epoch_with_the_member_count()
    {
        var time = new FakeTimeProvider();
        var topics = new FakeTopicCatalog();
        topics.Add("t", 4);
        var reports = new ConcurrentQueue<GroupRebalance>();
        using var groups = new GroupCoordinator(new GroupCoordinatorOptions(), time, new MemoryGroupStateLog(), topics,
            new Rill.Coordination.Groups.Consumer.ConsumerGroupOptions { Rebalanced = reports.Enqueue });

        foreach (string member in new[] { "a", "b" })
        {
            var joined = await GroupTestKit.Settle(groups.ConsumerHeartbeatAsync(new("g", member, 0, null, null, 30_000, ["t"], null, null,
                new HashSet<Rill.Coordination.Groups.Consumer.TopicIdPartition>(), "client", "/127.0.0.1", 1)));
            Assert.Equal(ErrorCode.None, joined.Error);
        }

        Assert.Equal([(1, 1), (2, 2)], reports.Select(r => (r.Generation, r.Members)));
        Assert.All(reports, r => Assert.Equal(("g", "consumer", (TimeSpan?)null, "uniform"), (r.GroupId, r.GroupType, r.Duration, r.Protocol)));
    }
}
