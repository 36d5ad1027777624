using Rill.Broker.Replication;
using Rill.Storage.Epochs;

namespace Rill.Broker.Tests.Replication;

/// <summary>
/// KIP-279's truncation loop run against a leader's epoch cache: the follower ends at the point where the two logs
/// diverge, in one round or several.
/// </summary>
public sealed class DivergenceTests
{
    private static LeaderEpochCache Cache(params (int Epoch, long Start)[] entries)
        => new(null, entries.Select(e => new EpochEntry(e.Epoch, e.Start)));

    /// <summary>Runs the follower's loop as ReplicaFetcher does; returns its final log end offset and the rounds taken.</summary>
    private static (long LogEnd, int Rounds) Truncate(LeaderEpochCache leader, long leaderEnd, LeaderEpochCache follower, long followerEnd, long highWatermark = 0)
    {
        for (int round = 1; round <= 10; round++)
        {
            EpochEndOffset answer = leader.EndOffsetFor(follower.LatestEpoch, leaderEnd);
            Divergence.Step step = Divergence.Next(answer, follower, followerEnd, highWatermark);
            followerEnd = Math.Min(followerEnd, step.TruncateTo);
            follower.TruncateFromEnd(followerEnd);
            if (step.Done) return (followerEnd, round);
        }
        throw new InvalidOperationException("no convergence");
    }

    [Fact]
    public void KIP_101_a_follower_drops_the_tail_it_wrote_in_an_epoch_the_leader_never_had()
    {
        // The follower led epoch 1 briefly from offset 5 and wrote 3 records nobody else got; the leader led epoch 2 from 5.
        (long end, int rounds) = Truncate(Cache((0, 0), (2, 5)), 10, Cache((0, 0), (1, 5)), 8);
        Assert.Equal(5, end);
        Assert.Equal(1, rounds);
    }

    [Fact]
    public void The_same_epoch_ending_earlier_on_the_leader_cuts_there()
    {
        (long end, _) = Truncate(Cache((0, 0), (1, 3), (3, 7)), 12, Cache((0, 0), (1, 3), (2, 6)), 9);
        Assert.Equal(6, end); // the follower's epoch 1 ends at 6, the leader's at 7: the first 6 records agree
    }

    [Fact]
    public void KIP_279_several_rounds_when_the_leader_answers_an_epoch_the_follower_never_had()
    {
        // Leader: epoch 0 [0,3), 1 [3,6), 3 [6,10). Follower: epoch 0 [0,4), 2 [4,8): its offset 3 is not the leader's.
        (long end, int rounds) = Truncate(Cache((0, 0), (1, 3), (3, 6)), 10, Cache((0, 0), (2, 4)), 8);
        Assert.Equal(3, end);
        Assert.Equal(2, rounds);
    }

    [Fact]
    public void A_follower_that_is_only_behind_keeps_everything()
    {
        (long end, int rounds) = Truncate(Cache((0, 0), (4, 20)), 50, Cache((0, 0), (4, 20)), 30);
        Assert.Equal(30, end);
        Assert.Equal(1, rounds);
    }

    [Fact]
    public void Without_an_answer_the_high_watermark_is_the_fallback()
    {
        Divergence.Step step = Divergence.Next(EpochEndOffset.Undefined, Cache((3, 0)), 40, highWatermark: 25);
        Assert.Equal(new Divergence.Step(25, true), step);
        // An epoch below every entry the follower has (its older epochs went with retention): the leader's end, bounded.
        Assert.Equal(new Divergence.Step(12, true), Divergence.Next(new EpochEndOffset(1, 12), Cache((5, 30)), 40, 0));
    }
}
