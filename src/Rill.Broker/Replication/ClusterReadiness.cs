using Rill.Broker.Topics;

namespace Rill.Broker.Replication;

/// <summary>
/// Cluster mode, between binding its listeners and joining the cluster (registering and applying the topics from the
/// store, which can take up to a session timeout when its previous registration is still there), a broker already
/// has the topics and logs it had on disk but no replica state: it neither leads nor follows. Its local log may end
/// with records the leader never had (a restarted ex-leader's unreplicated tail, truncated once it follows), so it
/// must not serve clients from it as the single-node broker would: before this, it appended produces as a single node
/// (acknowledging acks=all at once with min.insync.replicas=1, records its truncation then dropped) and served
/// consumers that tail above any high watermark. It answers NOT_LEADER_OR_FOLLOWER instead, as a Kafka broker does for a
/// partition it has no leadership for yet; clients refresh their metadata and go to the leader.
/// </summary>
internal static class ClusterReadiness
{
    public static bool AwaitsClusterState(KafkaBroker broker, Partition partition)
        => partition.Replica is null && broker.Config.MetadataEtcdEndpoints is not null && !TopicName.IsInternal(partition.Topic.Name);
}
