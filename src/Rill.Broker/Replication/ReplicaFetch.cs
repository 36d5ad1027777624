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

    /// <summary>
    /// Checks made on the leader before a read, for consumers as for followers. current_leader_epoch (Fetch v9+, KIP-320):
    /// older than the leader's is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH (the client refreshes its metadata).
    /// last_fetched_epoch (v12+, KIP-595): when the leader's log ends that epoch below the fetch offset, or never had it,
    /// the answer carries no records but the diverging epoch and its end offset, where the fetcher must truncate.
    /// Returns the complete answer (no read), or null when the partition is to be read.
    /// </summary>
    public static Rill.Protocol.Messages.FetchResponse.PartitionData? AnswerBeforeRead(Partition partition, PartitionReplica replica,
        in FetchSessions.FetchTarget requested, short version)
    {
        ErrorCode fenced = version >= 9 ? replica.CheckLeaderEpoch(requested.CurrentLeaderEpoch) : ErrorCode.None;
        if (fenced != ErrorCode.None)
        {
            return FetchSessions.FetchTargets.Answer(requested.Partition, fenced);
        }
        if (version < 12 || requested.LastFetchedEpoch < 0)
        {
            return null;
        }
        Storage.Epochs.EpochEndOffset end = partition.Log.EndOffsetForEpoch(requested.LastFetchedEpoch);
        if (end.IsUndefined || (end.Epoch == requested.LastFetchedEpoch && end.EndOffset >= requested.FetchOffset))
        {
            return null;
        }
        Rill.Protocol.Messages.FetchResponse.PartitionData data = FetchSessions.FetchTargets.Answer(requested.Partition, ErrorCode.None);
        data.DivergingEpoch = new Rill.Protocol.Messages.FetchResponse.EpochEndOffset { Epoch = end.Epoch, EndOffset = end.EndOffset };
        data.HighWatermark = replica.HighWatermark;
        data.LastStableOffset = partition.LastStableOffset;
        data.LogStartOffset = partition.LogStartOffset;
        return data;
    }

    private static PartitionReadResult Failed(ErrorCode error) => new(error, ReadOnlyMemory<byte>.Empty, -1, -1);
}
