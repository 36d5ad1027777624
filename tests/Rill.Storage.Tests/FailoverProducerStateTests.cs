using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>
/// The idempotent producer's state on a follower that becomes leader (Kafka's: followers rebuild it from the
/// replicated batches, so the last five batches and the last sequence survive a failover). The librdkafka sequence
/// of the 100-kill run: batches in flight to the killed leader, some replicated, one not; the retries then reach the
/// new leader.
/// </summary>
public sealed class FailoverProducerStateTests
{
    private const long Pid = 77;

    private static PartitionLog Open(TempDirectory dir, string name)
        => PartitionLog.Open(dir.Sub(name), new LogConfig(), new LogOpenOptions { Time = new FakeTimeProvider() });

    private static byte[] Idempotent(int records, int baseSeq)
        => TestBatch.Create(records, 1000, producerId: Pid, producerEpoch: 0, baseSequence: baseSeq);

    [Fact]
    public void A_new_leader_answers_retries_of_replicated_batches_with_their_offsets_accepts_the_lost_one_and_refuses_a_gap()
    {
        using var dir = new TempDirectory();
        using PartitionLog oldLeader = Open(dir, "old-0");
        using PartitionLog follower = Open(dir, "new-0");
        AppendResult a = oldLeader.AppendCopy(Idempotent(2, 0));   // seq 0-1, offsets 0-1
        AppendResult b = oldLeader.AppendCopy(Idempotent(3, 2));   // seq 2-4, offsets 2-4
        Assert.Equal(ErrorCode.None, follower.AppendAsFollower(oldLeader.ReadBytes(0)).Error);
        oldLeader.AppendCopy(Idempotent(2, 5));                    // seq 5-6: on the old leader only, then it dies

        // The follower leads now. Retries of what it replicated: duplicates with the old leader's offsets.
        AppendResult retryA = follower.AppendCopy(Idempotent(2, 0));
        AppendResult retryB = follower.AppendCopy(Idempotent(3, 2));
        Assert.True(retryA.IsDuplicate && retryB.IsDuplicate);
        Assert.Equal((a.FirstOffset, a.LastOffset), (retryA.FirstOffset, retryA.LastOffset));
        Assert.Equal((b.FirstOffset, b.LastOffset), (retryB.FirstOffset, retryB.LastOffset));

        // The batch after the lost one, arriving before the lost one's retry: a gap (Kafka: OUT_OF_ORDER_SEQUENCE_NUMBER).
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, follower.AppendCopy(Idempotent(1, 7)).Error);
        // The lost batch's retry is in sequence and appended once; the next one follows it.
        AppendResult lost = follower.AppendCopy(Idempotent(2, 5));
        Assert.Equal(ErrorCode.None, lost.Error);
        Assert.False(lost.IsDuplicate);
        Assert.Equal(5, lost.FirstOffset);
        Assert.Equal(ErrorCode.None, follower.AppendCopy(Idempotent(1, 7)).Error);
        Assert.Equal(8, follower.LogEndOffset);
    }

    [Fact]
    public void A_truncated_tail_is_forgotten_by_the_producer_state_so_its_retry_is_appended_again()
    {
        using var dir = new TempDirectory();
        using PartitionLog exLeader = Open(dir, "ex-0");
        exLeader.AppendCopy(Idempotent(2, 0));
        exLeader.AppendCopy(Idempotent(2, 2)); // never replicated: the new leader lacks it
        Assert.Equal(2, exLeader.TruncateTo(2)); // restarted and following: KIP-101 truncation

        // Leading again later: the truncated batch's retry is new data, not a duplicate of what was cut away.
        AppendResult retry = exLeader.AppendCopy(Idempotent(2, 2));
        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.False(retry.IsDuplicate);
        Assert.True(exLeader.AppendCopy(Idempotent(2, 0)).IsDuplicate);
    }

    [Fact]
    public void A_restarted_follower_rebuilds_the_last_batches_from_its_log()
    {
        using var dir = new TempDirectory();
        using (PartitionLog leader = Open(dir, "leader-0"))
        using (PartitionLog follower = Open(dir, "follower-0"))
        {
            for (int i = 0; i < 6; i++) leader.AppendCopy(Idempotent(1, i));
            follower.AppendAsFollower(leader.ReadBytes(0));
        }
        using PartitionLog reopened = Open(dir, "follower-0");
        Assert.True(reopened.AppendCopy(Idempotent(1, 5)).IsDuplicate);
        Assert.True(reopened.AppendCopy(Idempotent(1, 1)).IsDuplicate);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, reopened.AppendCopy(Idempotent(1, 7)).Error);
        Assert.Equal(ErrorCode.None, reopened.AppendCopy(Idempotent(1, 6)).Error);
    }
}
