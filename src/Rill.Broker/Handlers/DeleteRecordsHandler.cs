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
/// and ListOffsets EARLIEST returns them. In cluster mode only the leader deletes (NOT_LEADER_OR_FOLLOWER
/// elsewhere); followers move their log start to the leader's (sent in fetch answers) and report theirs in
/// their fetches, and the answer waits for every in-sync replica, as Kafka's does.
/// </summary>
internal sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    private const long HighWatermark = -1;
    private readonly KafkaBroker _broker;

    public DeleteRecordsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DeleteRecords;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override async ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        List<(Partition Partition, DeleteRecordsResponse.DeleteRecordsPartitionResult Result)>? replicated = null;
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
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = requested.PartitionIndex,
                    LowWatermark = lowWatermark,
                    ErrorCode = (short)error,
                };
                topicResult.Partitions.Add(result);
                if (error == ErrorCode.None && partition!.Replica is not null)
                {
                    (replicated ??= []).Add((partition, result));
                }
            }
        }
        if (moved)
        {
            _broker.Topics.CheckpointLogStartOffsets();
        }
        if (replicated is not null)
        {
            await WaitForFollowersAsync(replicated, TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 0, 30_000)), context.Aborted).ConfigureAwait(false);
        }
        return response;
    }

    /// <summary>
    /// Cluster mode, as Kafka: the answer waits until every in-sync replica reports (in its fetches) a log start
    /// offset at least the leader's new one, and carries that low watermark; REQUEST_TIMED_OUT when the request's
    /// timeout passes first (the leader's log start has moved all the same).
    /// </summary>
    private static async Task WaitForFollowersAsync(List<(Partition Partition, DeleteRecordsResponse.DeleteRecordsPartitionResult Result)> waiting,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            bool all = true;
            foreach (var (partition, result) in waiting)
            {
                long low = partition.Replica!.LowWatermark(partition.LogStartOffset);
                all &= low >= result.LowWatermark;
            }
            if (all || DateTime.UtcNow >= deadline)
            {
                break;
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        foreach (var (partition, result) in waiting)
        {
            long low = partition.Replica!.LowWatermark(partition.LogStartOffset);
            if (low >= result.LowWatermark)
            {
                result.LowWatermark = low;
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.RequestTimedOut;
                result.LowWatermark = -1;
            }
        }
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
