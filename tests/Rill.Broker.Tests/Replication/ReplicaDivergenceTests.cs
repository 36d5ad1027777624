using System.Buffers.Binary;
using Rill.Broker.Replication;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests.Replication;

public sealed class ReplicaDivergenceTests
{
    /// <summary>Just the header fields the decision reads: base offset and last offset delta.</summary>
    private static byte[] BatchHeader(long baseOffset, int lastOffsetDelta)
    {
        byte[] batch = new byte[RecordBatchLayout.LastOffsetDelta + 4 + 16];
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.BaseOffset), baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDelta), lastOffsetDelta);
        return batch;
    }

    [Fact]
    public void A_leader_batch_straddling_the_followers_log_end_is_a_divergence_and_its_start_is_where_to_truncate()
    {
        // Follower log end 3726, the leader's batch holds 3724..3730: the follower's 3724..3725 are not the leader's.
        Assert.Equal(3724, ReplicaDivergence.TruncationPoint(BatchHeader(3724, 6), 3726, logStart: 0));
        // A batch starting at the log end (the normal case) or a repeat wholly below it is no divergence.
        Assert.Null(ReplicaDivergence.TruncationPoint(BatchHeader(3726, 6), 3726, 0));
        Assert.Null(ReplicaDivergence.TruncationPoint(BatchHeader(3700, 5), 3726, 0));
        // A gap above the log end is not fixed by truncating; nor is anything below the log start; nor a short answer.
        Assert.Null(ReplicaDivergence.TruncationPoint(BatchHeader(3730, 2), 3726, 0));
        Assert.Null(ReplicaDivergence.TruncationPoint(BatchHeader(3724, 6), 3726, logStart: 3725));
        Assert.Null(ReplicaDivergence.TruncationPoint(new byte[10], 3726, 0));
    }

    [Fact]
    public void Only_registered_brokers_join_the_isr_and_members_already_in_it_stay()
    {
        var registered = new HashSet<int> { 1, 2 };
        // Broker 3 fetched again after a heal but has not registered again: it does not join yet.
        Assert.Null(ReplicaDivergence.RegisteredOnly([1, 2, 3], [1, 2], self: 1, registered));
        Assert.Equal([1, 2, 3], ReplicaDivergence.RegisteredOnly([1, 2, 3], [1, 2], 1, new HashSet<int> { 1, 2, 3 })!);
        // A shrink proposal still applies, and an unregistered member already in the ISR is left to the controller.
        Assert.Equal([1], ReplicaDivergence.RegisteredOnly([1], [1, 2], 1, registered)!);
        Assert.Null(ReplicaDivergence.RegisteredOnly([1, 3], [1, 3], 1, registered));
    }
}
