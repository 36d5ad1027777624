using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Storage.Epochs;

namespace Rill.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (key 23, KIP-101/KIP-279/KIP-320), v0-4 (flexible from v4). For each partition, the end offset
/// of the requested leader epoch from the partition's epoch cache: the start offset of the next higher epoch, or the
/// log end offset for the current one, with the largest epoch at or below the requested one (v1+); (-1, -1) when the
/// cache has no answer (an epoch above the latest). Followers use it to find where their log diverges from the leader's,
/// consumers (librdkafka, KIP-320) to validate their position after a leader change.
/// <para>
/// current_leader_epoch (v2+, -1 = unchecked) older than the partition's is FENCED_LEADER_EPOCH, newer
/// UNKNOWN_LEADER_EPOCH. Only the leader answers (NOT_LEADER_OR_FOLLOWER elsewhere), except the debugging replica id -2
/// (the default before v3), which any replica answers, as Kafka allows. CLUSTER_ACTION on the cluster allows every
/// topic; otherwise each topic needs DESCRIBE (TOPIC_AUTHORIZATION_FAILED). A single-node broker's partitions are in
/// epoch 0 since their start, as Metadata says, and it does not stamp batches, so a record may carry any epoch its
/// producer wrote: every epoch asked (0 or not) ends at the log end offset in epoch 0. Answering "undefined" for such an
/// epoch would make librdkafka reset a valid position as a log truncation.
/// </para>
/// </summary>
internal sealed class OffsetForLeaderEpochHandler : ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    private const int DebuggingReplicaId = -2;
    private readonly KafkaBroker _broker;

    public OffsetForLeaderEpochHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.OffsetForLeaderEpoch;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        bool clusterAction = _broker.Authorizer.AllowsCluster(context, AclOperation.ClusterAction);
        bool fromLeaderOnly = request.ReplicaId != DebuggingReplicaId;
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            bool allowed = clusterAction || _broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, topic.Topic);
            Topic? found = allowed ? _broker.Topics.Find(topic.Topic) : null;
            foreach (var requested in topic.Partitions)
            {
                topicResult.Partitions.Add(allowed
                    ? Answer(found?.GetPartition(requested.Partition), requested, fromLeaderOnly)
                    : Failed(requested.Partition, ErrorCode.TopicAuthorizationFailed));
            }
        }
        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }

    private static OffsetForLeaderEpochResponse.EpochEndOffset Answer(Partition? partition,
        OffsetForLeaderEpochRequest.OffsetForLeaderPartition requested, bool fromLeaderOnly)
    {
        if (partition is null)
        {
            return Failed(requested.Partition, ErrorCode.UnknownTopicOrPartition);
        }
        int currentEpoch = partition.Replica?.LeaderEpoch ?? 0;
        if (requested.CurrentLeaderEpoch >= 0 && requested.CurrentLeaderEpoch != currentEpoch)
        {
            return Failed(requested.Partition,
                requested.CurrentLeaderEpoch < currentEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch);
        }
        if (partition.Replica is { } replica && (fromLeaderOnly ? !replica.IsLeader : !replica.IsLeader && !replica.IsFollower))
        {
            return Failed(requested.Partition, ErrorCode.NotLeaderOrFollower);
        }
        EpochEndOffset found = partition.Replica is null && partition.Log.LeaderEpochs.LatestEpoch < 0
            ? requested.LeaderEpoch >= 0 ? new EpochEndOffset(0, partition.Log.LogEndOffset) : EpochEndOffset.Undefined
            : partition.Log.EndOffsetForEpoch(requested.LeaderEpoch);
        return new OffsetForLeaderEpochResponse.EpochEndOffset
        {
            Partition = requested.Partition,
            LeaderEpoch = found.Epoch,
            EndOffset = found.EndOffset,
        };
    }

    private static OffsetForLeaderEpochResponse.EpochEndOffset Failed(int partition, ErrorCode error) => new()
    {
        Partition = partition,
        ErrorCode = (short)error,
        LeaderEpoch = -1,
        EndOffset = -1,
    };
}
