using Rill.Cluster.Topics;

namespace Rill.Cluster.Tests;

/// <summary>Replica placement (rack-aware) and the controller's leader election from the ISR.</summary>
public sealed class PlacementAndElectionTests
{
    private static BrokerInfo B(int id, string? rack = null) => new(id, "h", 9092, rack);

    [Fact]
    public void Replicas_are_distinct_and_leaders_spread_evenly()
    {
        int[][] placed = ReplicaPlacement.Place([B(1), B(2), B(3), B(4)], partitions: 8, replicationFactor: 3);
        Assert.All(placed, r => Assert.Equal(3, r.Distinct().Count()));
        Assert.All(placed.GroupBy(r => r[0]), g => Assert.Equal(2, g.Count()));
        Assert.All(placed.SelectMany(r => r).GroupBy(id => id), g => Assert.Equal(6, g.Count()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplicaPlacement.Place([B(1), B(2)], 1, 3));
    }

    [Fact]
    public void With_as_many_racks_as_replicas_every_partition_has_one_replica_per_rack()
    {
        BrokerInfo[] brokers = [B(1, "a"), B(2, "a"), B(3, "b"), B(4, "b"), B(5, "c"), B(6, "c")];
        var rackOf = brokers.ToDictionary(b => b.Id, b => b.Rack);
        int[][] placed = ReplicaPlacement.Place(brokers, partitions: 12, replicationFactor: 3, start: 1);
        Assert.All(placed, r => Assert.Equal(3, r.Select(id => rackOf[id]).Distinct().Count()));
    }

    [Fact]
    public void A_dead_leader_is_replaced_by_a_live_isr_member_with_the_epoch_bumped()
    {
        var state = new PartitionState([1, 2, 3], 1, 4, [1, 3]);
        PartitionState next = LeaderElection.OnBrokersChanged(state, new HashSet<int> { 2, 3 })!;
        Assert.Equal(3, next.Leader); // 2 is live but not in the ISR
        Assert.Equal(5, next.LeaderEpoch);
        Assert.Equal([3], next.Isr);
        Assert.Null(LeaderElection.OnBrokersChanged(next, new HashSet<int> { 2, 3 }));
    }

    [Fact]
    public void Without_a_live_isr_member_the_partition_goes_offline_and_keeps_its_isr_unless_unclean_election_is_allowed()
    {
        var state = new PartitionState([1, 2, 3], 1, 0, [1]);
        PartitionState offline = LeaderElection.OnBrokersChanged(state, new HashSet<int> { 2, 3 })!;
        Assert.Equal(-1, offline.Leader);
        Assert.Equal([1], offline.Isr);
        Assert.Null(LeaderElection.OnBrokersChanged(offline, new HashSet<int> { 2, 3 }));
        PartitionState back = LeaderElection.OnBrokersChanged(offline, new HashSet<int> { 1, 2, 3 })!;
        Assert.Equal(1, back.Leader); // the last ISR member returned

        PartitionState unclean = LeaderElection.OnBrokersChanged(state, new HashSet<int> { 2, 3 }, uncleanAllowed: true)!;
        Assert.Equal(2, unclean.Leader);
        Assert.Equal([2], unclean.Isr);
    }

    [Fact]
    public void A_dead_follower_leaves_the_isr_and_controlled_shutdown_hands_leadership_to_an_isr_member()
    {
        var state = new PartitionState([1, 2, 3], 1, 2, [1, 2, 3]);
        PartitionState shrunk = LeaderElection.OnBrokersChanged(state, new HashSet<int> { 1, 3 })!;
        Assert.Equal((1, 2), (shrunk.Leader, shrunk.LeaderEpoch));
        Assert.Equal([1, 3], shrunk.Isr);

        PartitionState moved = LeaderElection.MoveLeadershipAway(state, 1, new HashSet<int> { 2, 3 })!;
        Assert.Equal((2, 3), (moved.Leader, moved.LeaderEpoch));
        Assert.Equal([2, 3], moved.Isr);
        Assert.Null(LeaderElection.MoveLeadershipAway(new PartitionState([1, 2], 1, 0, [1]), 1, new HashSet<int> { 2 }));
    }
}
