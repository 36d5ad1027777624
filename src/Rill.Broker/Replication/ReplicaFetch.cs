using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Replication;

/// <summary>
/// Fetch from a replicated partition by a follower (replica_id ≥ 0) or from a broker that does not lead it.
/// Only the leader answers (NOT_LEADER_OR_FOLLOWER otherwise); a follower's current leader epoch must match
/// (FENCED_LEADER_EPOCH when older, UNKNOWN_LEADER_EPOCH when newer); its fetch offset is its log end offset,
/// which moves the high watermark; it reads up to the leader's log end and learns the high watermark.
/// </summary>
internal static class ReplicaFetch
{
    public static int ReplicaIdOf(Rill.Protocol.Messages.FetchRequest request, short version)
        => version >= 15 ? request.ReplicaState?.ReplicaId ?? -1 : request.ReplicaId;

    public static PartitionReadResult Read(Partition partition, PartitionReplica replica, int replicaId, int currentLeaderEpoch, long fetchOffset,
        int maxBytes, IReadBufferSource buffers, long followerLogStartOffset = -1)
    {
        if (!replica.IsLeader)
        {
            return Failed(ErrorCode.NotLeaderOrFollower);
        }
        if (replica.CheckLeaderEpoch(currentLeaderEpoch) is var epochError and not ErrorCode.None)
        {
            return Failed(epochError);
        }
        long leo = partition.Log.LogEndOffset;
        if (fetchOffset > leo)
        {
            return new PartitionReadResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, replica.HighWatermark, partition.LogStartOffset);
        }
        if (!replica.OnFollowerFetch(replicaId, fetchOffset, leo))
        {
            return Failed(ErrorCode.NotLeaderOrFollower); // not a replica of this partition
        }
        replica.OnFollowerLogStart(replicaId, followerLogStartOffset);
        return ReplicaReads.ForFollower(partition, replica.HighWatermark, fetchOffset, maxBytes, buffers);
    }

    private static PartitionReadResult Failed(ErrorCode error) => new(error, ReadOnlyMemory<byte>.Empty, -1, -1);
}
