using Rill.Protocol;

namespace Rill.Broker.Clustering;

/// <summary>
/// Cluster mode, from start until <see cref="CoordinatorPlacement"/> takes over after the broker joined:
/// nothing is replayed from the local internal topics (a replica's copy may be behind, and only the
/// partition's leader coordinates its keys), every group and transactional id answers NOT_COORDINATOR, and
/// the coordinators write to their replicated partitions with acks=all.
/// </summary>
internal static class CoordinatorSetup
{
    public static void BeforeJoin(KafkaBroker broker)
    {
        broker.Groups.Placement = static _ => ErrorCode.NotCoordinator;
        broker.Transactions.Coordinator.Placement = static _ => ErrorCode.NotCoordinator;
        broker.OffsetsLog.Replicated = true;
        broker.OffsetsLog.CommitTimeoutMs = broker.Config.OffsetsCommitTimeoutMs;
        broker.Transactions.Log.Replicated = true;
        broker.Transactions.Log.CommitTimeoutMs = broker.Config.OffsetsCommitTimeoutMs;
        broker.Transactions.Markers.MarkerTimeoutMs = broker.Config.OffsetsCommitTimeoutMs;
        broker.Groups.StartOffsetExpiry(TimeSpan.FromMilliseconds(broker.Config.OffsetsRetentionCheckIntervalMs),
            TimeSpan.FromMilliseconds(broker.Config.OffsetsRetentionMs));
    }
}
