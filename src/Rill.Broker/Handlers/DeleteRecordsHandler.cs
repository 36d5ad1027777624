using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DeleteRecords (key 21), v0-2. Moves each partition's log start offset up to the given offset
/// (-1: the high watermark) and deletes the segments wholly below it; the answer's low watermark is
/// the new log start offset. An offset above the high watermark (or negative other than -1) is
/// OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks "delete" is POLICY_VIOLATION; internal
/// topics are INVALID_TOPIC_EXCEPTION, as in Kafka. The new log start offsets are checkpointed
/// before the answer, so they survive a crash. Fetch below them then answers OFFSET_OUT_OF_RANGE
/// and ListOffsets EARLIEST returns them.
/// </summary>
internal sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    private const long HighWatermark = -1;
    private readonly KafkaBroker _broker;

    public DeleteRecordsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DeleteRecords;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        bool moved = false;
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            Topic? found = _broker.Topics.Find(topic.Name);
            bool allowed = _broker.Authorizer.Allows(context, AclOperation.Delete, AclResourceType.Topic, topic.Name);
            foreach (var requested in topic.Partitions)
            {
                Partition? partition = found?.GetPartition(requested.PartitionIndex);
                (ErrorCode error, long lowWatermark) = !allowed ? (ErrorCode.TopicAuthorizationFailed, -1)
                    : partition is null
                    ? (ErrorCode.UnknownTopicOrPartition, -1)
                    : Delete(partition, requested.Offset, ref moved);
                topicResult.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = requested.PartitionIndex,
                    LowWatermark = lowWatermark,
                    ErrorCode = (short)error,
                });
            }
        }
        if (moved)
        {
            _broker.Topics.CheckpointLogStartOffsets();
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    private static (ErrorCode Error, long LowWatermark) Delete(Partition partition, long offset, ref bool moved)
    {
        if (TopicName.IsInternal(partition.Topic.Name))
        {
            return (ErrorCode.InvalidTopicException, -1);
        }
        if (!partition.Topic.Config.DeletePolicy)
        {
            return (ErrorCode.PolicyViolation, -1);
        }
        if (partition.Replica is { IsLeader: false })
        {
            return (ErrorCode.NotLeaderOrFollower, -1); // cluster mode: the leader deletes; followers follow its log start offset
        }
        long target = offset == HighWatermark ? partition.HighWatermark : offset;
        if (target < 0 || !partition.Log.AdvanceLogStartOffset(target))
        {
            return (ErrorCode.OffsetOutOfRange, -1);
        }
        moved = true;
        return (ErrorCode.None, partition.LogStartOffset);
    }
}
