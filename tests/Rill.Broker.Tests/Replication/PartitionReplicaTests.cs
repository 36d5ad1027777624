using Rill.Broker.Replication;
using Rill.Cluster.Topics;
using Rill.Protocol;

namespace Rill.Broker.Tests.Replication;

/// <summary>The leader's ISR and high watermark logic (Kafka's), on a fake clock.</summary>
public sealed class PartitionReplicaTests
{
    private readonly FakeTimeProvider _time = new();

    private PartitionReplica Leader(int[] isr, long lagMs = 1000)
        => new(1, new PartitionState([1, 2, 3], 1, 0, isr), 0, _time) { LagTimeMaxMs = lagMs };

    [Fact]
    public void The_high_watermark_is_the_smallest_log_end_offset_in_the_isr_and_only_moves_forward()
    {
        PartitionReplica replica = Leader([1, 2, 3]);
        replica.OnLeaderAppended(10);
        Assert.Equal(0, replica.HighWatermark); // the followers have not fetched yet
        replica.OnFollowerFetch(2, 10, 10);
        Assert.Equal(0, replica.HighWatermark);
        replica.OnFollowerFetch(3, 6, 10);
        Assert.Equal(6, replica.HighWatermark);
        replica.OnFollowerFetch(3, 10, 10);
        Assert.Equal(10, replica.HighWatermark);
        replica.OnFollowerFetch(2, 4, 10); // a follower that truncated does not move it back
        Assert.Equal(10, replica.HighWatermark);
    }

    [Fact]
    public void A_leader_alone_in_the_isr_commits_at_once_and_a_replica_outside_it_is_not_waited_for()
    {
        PartitionReplica alone = Leader([1]);
        alone.OnLeaderAppended(5);
        Assert.Equal(5, alone.HighWatermark);

        PartitionReplica two = Leader([1, 2]);
        two.OnLeaderAppended(5);
        two.OnFollowerFetch(2, 5, 5);
        Assert.Equal(5, two.HighWatermark); // replica 3 is outside the ISR
    }

    [Fact]
    public async Task Acks_all_waits_for_the_high_watermark_and_fails_when_leadership_moves()
    {
        PartitionReplica replica = Leader([1, 2]);
        replica.OnLeaderAppended(3);
        Task<ErrorCode> waiting = replica.WaitForHighWatermarkAsync(2);
        Assert.False(waiting.IsCompleted);
        replica.OnFollowerFetch(2, 2, 3);
        Assert.False(waiting.IsCompleted); // offset 2 not yet on replica 2
        replica.OnFollowerFetch(2, 3, 3);
        Assert.Equal(ErrorCode.None, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        replica.OnLeaderAppended(8);
        Task<ErrorCode> lost = replica.WaitForHighWatermarkAsync(7);
        replica.Apply(new PartitionState([1, 2, 3], 2, 1, [2]), 8);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, await lost.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Acks_all_of_an_append_made_in_a_leader_epoch_this_broker_no_longer_leads_fails_even_below_the_high_watermark()
    {
        // The produce checked leadership in epoch 0, then the broker became a follower of epoch 1 before its append
        // (written as leader at offset 7 of what is now a follower's log, to be truncated away); by the time the
        // produce waits, the high watermark learnt from the new leader is already past 7.
        PartitionReplica replica = Leader([1, 2]);
        replica.OnLeaderAppended(8);
        replica.Apply(new PartitionState([1, 2, 3], 2, 1, [1, 2]), 8);
        replica.SetFollowerHighWatermark(10, 10);
        Assert.Equal(10, replica.HighWatermark);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, await replica.WaitForHighWatermarkAsync(7, leaderEpoch: 0));

        // Leading again in a later epoch does not make the epoch-0 append committed either.
        replica.Apply(new PartitionState([1, 2, 3], 1, 2, [1, 2]), 10);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, await replica.WaitForHighWatermarkAsync(7, leaderEpoch: 0));
        Assert.Equal(ErrorCode.None, await replica.WaitForHighWatermarkAsync(7, leaderEpoch: 2));
    }

    [Fact]
    public void A_follower_not_caught_up_for_replica_lag_time_max_leaves_the_isr_and_rejoins_once_it_reaches_the_high_watermark()
    {
        PartitionReplica replica = Leader([1, 2, 3], lagMs: 1000);
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);
        replica.OnFollowerFetch(3, 0, 10);
        Assert.Null(replica.ProposedIsr());

        _time.Advance(TimeSpan.FromMilliseconds(900));
        replica.OnFollowerFetch(2, 10, 10);
        Assert.Null(replica.ProposedIsr()); // 3 is behind, but not for longer than 1000 ms yet

        _time.Advance(TimeSpan.FromMilliseconds(200));
        replica.OnFollowerFetch(2, 10, 10);
        Assert.Equal([1, 2], replica.ProposedIsr()!);

        // The store accepted the shrink; 3 still fetches slowly, then catches up.
        replica.Apply(new PartitionState([1, 2, 3], 1, 0, [1, 2]), 10);
        Assert.Equal(10, replica.HighWatermark);
        replica.OnFollowerFetch(3, 5, 10);
        Assert.Null(replica.ProposedIsr());
        replica.OnFollowerFetch(3, 10, 10);
        Assert.Equal([1, 2, 3], replica.ProposedIsr()!);
    }

    [Fact]
    public void While_an_isr_expansion_is_being_written_the_high_watermark_also_waits_for_the_joining_member()
    {
        // ISR [1, 2]; 3 catches up and the leader proposes [1, 2, 3]. The store may accept it (and the controller
        // elect 3) before this leader applies it: a record committed meanwhile without 3 would be lost on 3's election.
        PartitionReplica replica = Leader([1, 2]);
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);
        Assert.Equal(10, replica.HighWatermark);
        replica.OnFollowerFetch(3, 10, 10);
        int[] proposed = replica.ProposedIsr()!;
        Assert.Equal([1, 2, 3], proposed);
        replica.Proposing(proposed);

        replica.OnLeaderAppended(20);
        replica.OnFollowerFetch(2, 20, 20);
        Assert.Equal(10, replica.HighWatermark); // 3 has not got 10..19 yet
        replica.OnFollowerFetch(3, 15, 20);
        Assert.Equal(15, replica.HighWatermark);

        // Applied: 3 is an ordinary ISR member now; a later proposal without change forgets the pending one.
        replica.Apply(new PartitionState([1, 2, 3], 1, 0, [1, 2, 3]), 20);
        replica.OnFollowerFetch(3, 20, 20);
        Assert.Equal(20, replica.HighWatermark);
        replica.Proposing(replica.ProposedIsr());
        replica.OnLeaderAppended(30);
        replica.OnFollowerFetch(2, 30, 30);
        replica.OnFollowerFetch(3, 30, 30);
        Assert.Equal(30, replica.HighWatermark);
    }

    [Fact]
    public void A_proposal_that_is_not_written_stops_holding_the_high_watermark()
    {
        PartitionReplica replica = Leader([1, 2]);
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);
        replica.OnFollowerFetch(3, 10, 10);
        replica.Proposing(replica.ProposedIsr());
        replica.OnLeaderAppended(20);
        replica.OnFollowerFetch(2, 20, 20);
        Assert.Equal(10, replica.HighWatermark);
        replica.Proposing(null); // e.g. 3 is not registered: nothing is written
        replica.OnLeaderAppended(20);
        Assert.Equal(20, replica.HighWatermark);
    }

    [Fact]
    public void A_follower_taken_out_of_the_isr_rejoins_only_after_fetching_again()
    {
        PartitionReplica replica = Leader([1, 2, 3]);
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);
        replica.OnFollowerFetch(3, 10, 10);
        replica.Apply(new PartitionState([1, 2, 3], 1, 0, [1, 3]), 10); // e.g. broker 2's controlled shutdown
        Assert.Null(replica.ProposedIsr());
        replica.OnFollowerFetch(2, 10, 10);
        Assert.Equal([1, 2, 3], replica.ProposedIsr()!);
    }

    [Fact]
    public void A_follower_counts_as_caught_up_as_of_its_previous_fetch_when_it_reached_what_the_leader_had_then()
    {
        PartitionReplica replica = Leader([1, 2], lagMs: 1000);
        replica.OnLeaderAppended(10);
        replica.OnFollowerFetch(2, 10, 10);           // caught up at t=0
        _time.Advance(TimeSpan.FromMilliseconds(800));
        replica.OnFollowerFetch(2, 10, 20);           // the leader grew meanwhile; at t=800 it had 20
        _time.Advance(TimeSpan.FromMilliseconds(800));
        replica.OnFollowerFetch(2, 20, 30);           // reached the 20 of its previous fetch: caught up as of t=800
        Assert.Null(replica.ProposedIsr());
        _time.Advance(TimeSpan.FromMilliseconds(1100));
        Assert.Equal([1], replica.ProposedIsr()!);      // nothing since t=800
    }

    [Fact]
    public void A_follower_takes_the_leaders_high_watermark_bounded_by_its_own_log()
    {
        var follower = new PartitionReplica(2, new PartitionState([1, 2, 3], 1, 0, [1, 2, 3]), 0, _time);
        follower.SetFollowerHighWatermark(50, 30);
        Assert.Equal(30, follower.HighWatermark);
        follower.SetFollowerHighWatermark(50, 60);
        Assert.Equal(50, follower.HighWatermark);
        follower.ClampHighWatermark(40); // truncated
        Assert.Equal(40, follower.HighWatermark);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, new PartitionReplica(1, new PartitionState([1, 2], 1, 3, [1, 2]), 0, _time).CheckLeaderEpoch(2));
        Assert.Equal(ErrorCode.UnknownLeaderEpoch, new PartitionReplica(1, new PartitionState([1, 2], 1, 3, [1, 2]), 0, _time).CheckLeaderEpoch(4));
    }

    [Fact]
    public void Consumers_get_only_whole_batches_below_the_high_watermark()
    {
        byte[] batches = [.. Batch(0, 3), .. Batch(3, 2), .. Batch(5, 4)];
        Assert.Equal(0, ReplicaReads.CommittedLength(batches, 2));
        Assert.Equal(Batch(0, 3).Length, ReplicaReads.CommittedLength(batches, 3));
        Assert.Equal(Batch(0, 3).Length + Batch(3, 2).Length, ReplicaReads.CommittedLength(batches, 8));
        Assert.Equal(batches.Length, ReplicaReads.CommittedLength(batches, 9));
    }

    /// <summary>A record batch header (61 bytes, no records) with base offset and last offset delta.</summary>
    private static byte[] Batch(long baseOffset, int records)
    {
        byte[] b = new byte[61];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(b, baseOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), b.Length - 12);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(23), records - 1);
        return b;
    }
}
