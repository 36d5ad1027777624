using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Storage;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeProducers (key 61, KIP-664), v0. For each requested partition the producers with state in its log:
/// id, epoch, last sequence and timestamp, the coordinator epoch of the last transaction marker (-1 when none) and
/// the first offset of the producer's open transaction (-1 when none), which is what
/// <c>kafka-transactions.sh describe-producers / find-hanging</c> read. An unknown topic or partition answers
/// UNKNOWN_TOPIC_OR_PARTITION for that partition.
/// </summary>
internal sealed class DescribeProducersHandler : ApiHandler<DescribeProducersRequest, DescribeProducersResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeProducersHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeProducers;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override ValueTask<DescribeProducersResponse?> HandleAsync(RequestContext context, DescribeProducersRequest request)
    {
        var response = new DescribeProducersResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new DescribeProducersResponse.TopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            Topic? found = _broker.Topics.Find(topic.Name);
            bool allowed = _broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Topic, topic.Name);
            foreach (int index in topic.PartitionIndexes)
            {
                if (!allowed)
                {
                    topicResponse.Partitions.Add(new DescribeProducersResponse.PartitionResponse
                    {
                        PartitionIndex = index, ErrorCode = (short)ErrorCode.TopicAuthorizationFailed,
                    });
                    continue;
                }
                topicResponse.Partitions.Add(Describe(found?.GetPartition(index), index));
            }
        }
        return ValueTask.FromResult<DescribeProducersResponse?>(response);
    }

    private static DescribeProducersResponse.PartitionResponse Describe(Partition? partition, int index)
    {
        var answer = new DescribeProducersResponse.PartitionResponse { PartitionIndex = index };
        if (partition is null)
        {
            answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            answer.ErrorMessage = "This server does not host this topic-partition.";
            return answer;
        }
        if (partition.Replica is { IsLeader: false })
        {
            answer.ErrorCode = (short)ErrorCode.NotLeaderOrFollower; // cluster mode: the leader answers
            return answer;
        }
        foreach (ProducerStateInfo producer in partition.Log.GetProducers().OrderBy(p => p.ProducerId))
        {
            answer.ActiveProducers.Add(new DescribeProducersResponse.ProducerState
            {
                ProducerId = producer.ProducerId,
                ProducerEpoch = producer.ProducerEpoch,
                LastSequence = producer.LastSequence,
                LastTimestamp = producer.LastTimestamp,
                CoordinatorEpoch = producer.CoordinatorEpoch,
                CurrentTxnStartOffset = producer.CurrentTxnStartOffset,
            });
        }
        return answer;
    }
}
