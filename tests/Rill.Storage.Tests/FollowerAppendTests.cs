using Rill.Protocol;

namespace Rill.Storage.Tests;

/// <summary>A follower's append keeps the leader's offsets; repeated batches are skipped, gaps refused.</summary>
public sealed class FollowerAppendTests
{
    private static PartitionLog Open(TempDirectory dir, string name)
        => PartitionLog.Open(dir.Sub(name), new LogConfig(), new LogOpenOptions { Time = new FakeTimeProvider() });

    [Fact]
    public void Batches_read_from_a_leader_keep_their_offsets_and_a_repeated_fetch_is_skipped()
    {
        using var dir = new TempDirectory();
        using PartitionLog leader = Open(dir, "leader-0");
        using PartitionLog follower = Open(dir, "follower-0");
        leader.AppendCopy(TestBatch.Create(3, 1));
        leader.AppendCopy(TestBatch.Create(4, 2));
        byte[] fetched = leader.ReadBytes(0);

        AppendResult first = follower.AppendAsFollower(fetched);
        Assert.Equal(ErrorCode.None, first.Error);
        Assert.Equal(7, follower.LogEndOffset);
        Assert.Equal(fetched, follower.ReadBytes(0));

        // The same bytes again (a retried fetch): nothing is written twice.
        AppendResult again = follower.AppendAsFollower(fetched);
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.True(again.IsDuplicate);
        Assert.Equal(7, follower.LogEndOffset);
        Assert.Equal(fetched.Length, follower.SizeInBytes);

        // Overlapping: the known batch is skipped, the new one appended at its own offset.
        leader.AppendCopy(TestBatch.Create(2, 3));
        AppendResult overlap = follower.AppendAsFollower(leader.ReadBytes(3));
        Assert.Equal(ErrorCode.None, overlap.Error);
        Assert.Equal(9, follower.LogEndOffset);
        Assert.Equal([0L, 3L, 7L], follower.AllBatchOffsets());
    }

    [Fact]
    public void A_gap_above_the_log_end_is_refused()
    {
        using var dir = new TempDirectory();
        using PartitionLog leader = Open(dir, "leader-0");
        using PartitionLog follower = Open(dir, "follower-0");
        leader.AppendCopy(TestBatch.Create(3, 1));
        leader.AppendCopy(TestBatch.Create(3, 2));
        Assert.Equal(ErrorCode.CorruptMessage, follower.AppendAsFollower(leader.ReadBytes(3)).Error);
        Assert.Equal(0, follower.LogEndOffset);
    }

    [Fact]
    public void After_truncation_the_follower_appends_what_the_new_leader_has()
    {
        using var dir = new TempDirectory();
        using PartitionLog follower = Open(dir, "follower-0");
        using PartitionLog newLeader = Open(dir, "leader-0");
        follower.AppendCopy(TestBatch.Create(3, 1));
        follower.AppendCopy(TestBatch.Create(3, 2)); // an unacknowledged tail the new leader never got
        newLeader.AppendCopy(TestBatch.Create(3, 1));
        newLeader.AppendCopy(TestBatch.Create(5, 9));
        Assert.Equal(3, follower.TruncateTo(3));
        Assert.Equal(ErrorCode.None, follower.AppendAsFollower(newLeader.ReadBytes(3)).Error);
        Assert.Equal(8, follower.LogEndOffset);
        Assert.Equal(newLeader.ReadBytes(3), follower.ReadBytes(3));
    }
}
