using Rill.Cluster.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>A replicated partition as Metadata describes it: leader (-1 and LEADER_NOT_AVAILABLE when offline), leader epoch, replicas, ISR.</summary>
internal static class ReplicaMetadata
{
    public static MetadataResponse.MetadataResponsePartition Describe(int index, PartitionState state) => new()
    {
        ErrorCode = (short)(state.Leader < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
        PartitionIndex = index,
        LeaderId = state.Leader,
        LeaderEpoch = state.LeaderEpoch,
        ReplicaNodes = [.. state.Replicas],
        IsrNodes = [.. state.Isr],
        OfflineReplicas = [],
    };

    /// <summary>The error a client request for this partition gets from a broker that does not lead it (null: it leads).</summary>
    public static ErrorCode? NotLeader(PartitionReplica replica) => replica.IsLeader ? null : ErrorCode.NotLeaderOrFollower;
}
