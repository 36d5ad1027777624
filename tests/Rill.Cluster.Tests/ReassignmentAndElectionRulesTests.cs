using Rill.Cluster.Topics;

namespace Rill.Cluster.Tests;

/// <summary>The controller's rules for requested elections (KIP-460), reassignments (KIP-455) and preferred-leader balancing.</summary>
public sealed class ReassignmentAndElectionRulesTests
{
    private static readonly HashSet<int> All = [1, 2, 3, 4];

    [Fact]
    public void A_preferred_election_needs_the_preferred_replica_live_and_in_sync()
    {
        var moved = new PartitionState([1, 2, 3], 2, 4, [1, 2, 3]);
        var (outcome, next) = RequestedElection.Elect(moved, ElectionType.Preferred, All);
        Assert.Equal(ElectionOutcome.Elected, outcome);
        Assert.Equal((1, 5), (next!.Leader, next.LeaderEpoch));

        Assert.Equal(ElectionOutcome.NotNeeded, RequestedElection.Elect(next, ElectionType.Preferred, All).Outcome);
        Assert.Equal(ElectionOutcome.PreferredNotAvailable, RequestedElection.Elect(moved with { Isr = [2, 3] }, ElectionType.Preferred, All).Outcome);
        Assert.Equal(ElectionOutcome.PreferredNotAvailable, RequestedElection.Elect(moved, ElectionType.Preferred, new HashSet<int> { 2, 3 }).Outcome);
    }

    [Fact]
    public void An_unclean_election_only_replaces_a_missing_leader_preferring_the_isr()
    {
        var led = new PartitionState([1, 2, 3], 2, 4, [2]);
        Assert.Equal(ElectionOutcome.NotNeeded, RequestedElection.Elect(led, ElectionType.Unclean, All).Outcome);

        var offline = new PartitionState([1, 2, 3], -1, 5, [2]);
        var (outcome, next) = RequestedElection.Elect(offline, ElectionType.Unclean, new HashSet<int> { 2, 3 });
        Assert.Equal(ElectionOutcome.Elected, outcome);
        Assert.Equal((2, 6), (next!.Leader, next.LeaderEpoch)); // the ISR member first
        (outcome, next) = RequestedElection.Elect(offline, ElectionType.Unclean, new HashSet<int> { 3 });
        Assert.Equal(3, next!.Leader); // then any live replica, the ISR reset to it
        Assert.Equal([3], next.Isr);
        Assert.Equal(ElectionOutcome.NoEligibleLeader, RequestedElection.Elect(offline, ElectionType.Unclean, new HashSet<int> { 4 }).Outcome);
    }

    [Fact]
    public void A_reassignment_adds_first_and_completes_when_the_target_is_in_sync()
    {
        var state = new PartitionState([1, 2], 1, 3, [1, 2]);
        PartitionState started = PartitionReassignment.Start(state, [2, 3], All);
        Assert.Equal([2, 3, 1], started.Replicas);
        Assert.Equal([3], started.AddingReplicas!);
        Assert.Equal([1], started.RemovingReplicas!);
        Assert.Equal(1, started.Leader);
        Assert.Null(PartitionReassignment.TryComplete(started, All)); // 3 not in sync yet

        PartitionState done = PartitionReassignment.TryComplete(started with { Isr = [1, 2, 3] }, All)!;
        Assert.Equal([2, 3], done.Replicas);
        Assert.Equal([2, 3], done.Isr);
        Assert.False(done.IsReassigning);
        Assert.Equal((2, 4), (done.Leader, done.LeaderEpoch)); // the removed leader hands over, epoch bumped
    }

    [Fact]
    public void A_reassignment_without_new_replicas_applies_at_once_and_cancel_goes_back()
    {
        var state = new PartitionState([1, 2, 3], 1, 0, [1, 2, 3]);
        PartitionState shrunk = PartitionReassignment.Start(state, [3, 2], All);
        Assert.Equal([3, 2], shrunk.Replicas);
        Assert.Equal(1, shrunk.LeaderEpoch);
        Assert.Equal(3, shrunk.Leader);
        Assert.Null(PartitionReassignment.Cancel(shrunk, All)); // nothing in progress

        PartitionState growing = PartitionReassignment.Start(state, [1, 2, 4], All);
        Assert.Equal([1, 2, 4, 3], growing.Replicas);
        PartitionState cancelled = PartitionReassignment.Cancel(growing with { Isr = [1, 2, 3] }, All)!;
        Assert.Equal([1, 2, 3], cancelled.Replicas);
        Assert.False(cancelled.IsReassigning);
        Assert.Equal((1, 0), (cancelled.Leader, cancelled.LeaderEpoch));

        // A new target replaces the one in progress: the original replicas stay the reference.
        PartitionState replaced = PartitionReassignment.Start(growing, [1, 2, 3], All);
        Assert.Equal([1, 2, 3], replaced.Replicas);
        Assert.False(replaced.IsReassigning);
    }

    [Fact]
    public void Targets_must_name_registered_brokers_once()
    {
        Assert.NotNull(PartitionReassignment.Validate([], All));
        Assert.NotNull(PartitionReassignment.Validate([1, 1], All));
        Assert.NotNull(PartitionReassignment.Validate([1, 9], All));
        Assert.Null(PartitionReassignment.Validate([4, 1], All));
    }

    [Fact]
    public void Balancing_moves_leadership_back_only_above_the_imbalance_percentage()
    {
        // Broker 1 is preferred for 4 partitions and leads 3 of them: 25 % imbalance.
        TopicState topic = new("t", Guid.NewGuid(), [],
        [
            new PartitionState([1, 2], 1, 0, [1, 2]),
            new PartitionState([1, 2], 1, 0, [1, 2]),
            new PartitionState([1, 2], 1, 0, [1, 2]),
            new PartitionState([1, 2], 2, 1, [1, 2]),
            new PartitionState([2, 1], 2, 0, [2]),
        ]);
        Assert.Equal([("t", 3)], LeaderImbalance.ToRebalance([topic], All, 10));
        Assert.Empty(LeaderImbalance.ToRebalance([topic], All, 25));
        Assert.Empty(LeaderImbalance.ToRebalance([topic with { Partitions = [.. topic.Partitions[..3], topic.Partitions[3] with { Isr = [2] }] }], All, 10));
        Assert.Empty(LeaderImbalance.ToRebalance([topic], new HashSet<int> { 2 }, 10));
    }
}
