using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ListOffsets (key 2), v0-8. Timestamp -1 is the latest offset (the high watermark), -2 the
/// log start offset, -3 the record with the largest timestamp (KIP-734, v7+), -4 the earliest
/// local offset (KIP-1005, equal to -2 without tiered storage). Any other timestamp finds the
/// first offset whose record timestamp is at or after it; none answers offset -1. v0 answers with
/// OldStyleOffsets (at most MaxNumOffsets of them).
/// </summary>
internal sealed class ListOffsetsHandler : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    private const long Latest = -1, Earliest = -2, MaxTimestamp = -3, EarliestLocal = -4;
    private readonly KafkaBroker _broker;

    public ListOffsetsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ListOffsets;
    public override short MinVersion => 0;
    public override short MaxVersion => 8;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            Topic? found = _broker.Topics.Find(topic.Name);
            foreach (var requested in topic.Partitions)
            {
                topicResponse.Partitions.Add(Answer(found?.GetPartition(requested.PartitionIndex), requested, context.ApiVersion));
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private static ListOffsetsResponse.ListOffsetsPartitionResponse Answer(Partition? partition,
        ListOffsetsRequest.ListOffsetsPartition requested, short version)
    {
        var answer = new ListOffsetsResponse.ListOffsetsPartitionResponse
        {
            PartitionIndex = requested.PartitionIndex,
            Timestamp = -1,
            Offset = -1,
            LeaderEpoch = -1,
        };
        if (partition is null)
        {
            answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            return answer;
        }
        if (requested.Timestamp == MaxTimestamp && version < 7 || requested.Timestamp < EarliestLocal)
        {
            answer.ErrorCode = (short)ErrorCode.UnsupportedVersion;
            return answer;
        }

        (long offset, long timestamp) = requested.Timestamp switch
        {
            Latest => (partition.HighWatermark, -1L),
            Earliest or EarliestLocal => (partition.LogStartOffset, -1L),
            MaxTimestamp => partition.FindMaxTimestamp(),
            _ => partition.FindOffsetForTimestamp(requested.Timestamp),
        };
        answer.LeaderEpoch = 0;
        if (version == 0)
        {
            answer.OldStyleOffsets = offset >= 0 && requested.MaxNumOffsets > 0 ? [offset] : [];
        }
        else
        {
            answer.Offset = offset;
            answer.Timestamp = timestamp;
        }
        return answer;
    }
}
