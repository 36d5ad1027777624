using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ListOffsets (key 2), v0-8. Timestamp -1 is the latest offset (the high watermark; with isolation
/// level read_committed, v2+, the last stable offset), -2 the
/// log start offset, -3 the record with the largest timestamp (KIP-734, v7+), -4 the earliest
/// local offset (KIP-1005, equal to -2 without tiered storage). Any other timestamp finds the
/// first offset whose record timestamp is at or after it; none answers offset -1.
/// v0 keeps Kafka's legacy meaning, a list of at most MaxNumOffsets offsets, newest first: latest is
/// the high watermark followed by the base offsets of the segments below it; earliest is the log
/// start offset alone; a timestamp lists the base offsets of the segments whose records are all at or
/// before it (Kafka compares the segment files' modification times; Rill uses the largest record
/// timestamp of each segment), headed by the high watermark when the timestamp is not in the past.
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
        long now = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            Topic? found = _broker.Topics.Find(topic.Name);
            bool allowed = _broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, topic.Name);
            foreach (var requested in topic.Partitions)
            {
                if (!allowed)
                {
                    topicResponse.Partitions.Add(new ListOffsetsResponse.ListOffsetsPartitionResponse
                    {
                        PartitionIndex = requested.PartitionIndex,
                        ErrorCode = (short)ErrorCode.TopicAuthorizationFailed,
                        Timestamp = -1,
                        Offset = -1,
                        LeaderEpoch = -1,
                    });
                    continue;
                }
                Partition? partition = found?.GetPartition(requested.PartitionIndex);
                topicResponse.Partitions.Add(partition is not null && Replication.ClusterReadiness.AwaitsClusterState(_broker, partition)
                    ? new ListOffsetsResponse.ListOffsetsPartitionResponse
                    {
                        PartitionIndex = requested.PartitionIndex,
                        ErrorCode = (short)ErrorCode.NotLeaderOrFollower, // cluster mode, not joined yet: its local log is not the partition's
                        Timestamp = -1,
                        Offset = -1,
                        LeaderEpoch = -1,
                    }
                    : Answer(partition, requested, context.ApiVersion, now, readCommitted: context.ApiVersion >= 2 && request.IsolationLevel == 1));
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private static ListOffsetsResponse.ListOffsetsPartitionResponse Answer(Partition? partition,
        ListOffsetsRequest.ListOffsetsPartition requested, short version, long now, bool readCommitted)
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
        if (partition.Replica is { IsLeader: false })
        {
            answer.ErrorCode = (short)ErrorCode.NotLeaderOrFollower; // cluster mode: only the leader answers
            return answer;
        }
        if (version == 0)
        {
            answer.OldStyleOffsets = LegacyOffsets(partition, requested.Timestamp, requested.MaxNumOffsets, now);
            return answer;
        }
        if (requested.Timestamp == MaxTimestamp && version < 7 || requested.Timestamp < EarliestLocal)
        {
            answer.ErrorCode = (short)ErrorCode.UnsupportedVersion;
            return answer;
        }

        (long offset, long timestamp) = requested.Timestamp switch
        {
            Latest => (readCommitted ? partition.LastStableOffset : partition.HighWatermark, -1L),
            Earliest or EarliestLocal => (partition.LogStartOffset, -1L),
            MaxTimestamp => partition.FindMaxTimestamp(),
            _ => partition.FindOffsetForTimestamp(requested.Timestamp),
        };
        if ((requested.Timestamp >= 0 || requested.Timestamp == MaxTimestamp) && offset >= 0
            && offset >= (readCommitted ? partition.LastStableOffset : partition.HighWatermark))
        {
            (offset, timestamp) = (-1, -1); // as Kafka: a lookup finds only offsets the isolation level may read
        }
        answer.LeaderEpoch = partition.Replica?.LeaderEpoch ?? 0;
        answer.Offset = offset;
        answer.Timestamp = timestamp;
        return answer;
    }

    /// <summary>ListOffsets v0: up to <paramref name="max"/> offsets, newest first (see the class summary).</summary>
    private static List<long> LegacyOffsets(Partition partition, long timestamp, int max, long now)
    {
        var offsets = new List<long>();
        if (max <= 0)
        {
            return offsets;
        }
        long highWatermark = partition.HighWatermark;
        long logStart = partition.LogStartOffset;
        if (timestamp == Earliest)
        {
            offsets.Add(logStart);
            return offsets;
        }
        if (timestamp == Latest || timestamp >= now)
        {
            offsets.Add(highWatermark);
        }
        var segments = partition.Log.GetSegments();
        for (int i = segments.Length - 1; i >= 0 && offsets.Count < max; i--)
        {
            var segment = segments[i];
            long baseOffset = Math.Max(segment.BaseOffset, logStart);
            bool listed = timestamp == Latest || timestamp >= now || segment.SizeInBytes > 0 && segment.MaxTimestamp <= timestamp;
            if (listed && baseOffset <= highWatermark && (offsets.Count == 0 || baseOffset < offsets[^1]))
            {
                offsets.Add(baseOffset);
            }
        }
        return offsets;
    }
}
