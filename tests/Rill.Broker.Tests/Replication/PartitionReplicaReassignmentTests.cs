using Rill.Broker.Replication;
using Rill.Cluster.Topics;

namespace Rill.Broker.Tests.Replication;

/// <summary>The leader's view of a reassignment: a replica added to the assignment is tracked from its first fetch and proposed for the ISR once caught up.</summary>
public sealed class PartitionReplicaReassignmentTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_replica_added_by_a_reassignment_is_tracked_and_joins_the_isr_once_caught_up()
    {
        var replica = new PartitionReplica(1, new PartitionState([1, 2], 1, 0, [1, 2]), 0, _time) { LagTimeMaxMs = 1000 };
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);
        Assert.False(replica.OnFollowerFetch(3, 0, 10)); // not a replica yet

        replica.Apply(new PartitionState([2, 3, 1], 1, 0, [1, 2], AddingReplicas: [3], RemovingReplicas: [1]), 10);
        Assert.True(replica.OnFollowerFetch(3, 4, 10));
        Assert.Null(replica.ProposedIsr()); // behind the high watermark
        replica.OnFollowerFetch(3, 10, 10);
        Assert.Equal([2, 3, 1], replica.ProposedIsr()!);
    }
}
