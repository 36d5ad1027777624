using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Consuming;

/// <summary>ListOffsets (by time, earliest, latest), OffsetFetch and OffsetCommit, shared by the consumer and the admin client.</summary>
internal static class OffsetClient
{
    /// <summary>For each partition, the first offset with a timestamp at or after the given one (-1 latest, -2 earliest); -1 when none.</summary>
    public static async Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(KafkaCluster cluster, IEnumerable<(TopicPartition Partition, long Timestamp)> queries,
        IsolationLevel isolation, CancellationToken cancellationToken)
    {
        var result = new Dictionary<TopicPartition, long>();
        var byLeader = new Dictionary<int, List<(TopicPartition, long)>>();
        foreach (var (tp, ts) in queries)
        {
            TopicMetadata topic = await cluster.GetTopicAsync(tp.Topic, cancellationToken).ConfigureAwait(false)
                ?? throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Unknown topic {tp.Topic}.");
            if (tp.Partition >= topic.Partitions.Count)
            {
                // a partition added since the metadata was cached (CreatePartitions): ask again before giving up
                cluster.Invalidate(tp.Topic);
                topic = await cluster.GetTopicAsync(tp.Topic, cancellationToken).ConfigureAwait(false) ?? topic;
            }
            if (tp.Partition >= topic.Partitions.Count)
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Topic {tp.Topic} has no partition {tp.Partition}.");
            }
            int leader = topic.Partitions[tp.Partition].Leader;
            if (!byLeader.TryGetValue(leader, out var list))
            {
                byLeader[leader] = list = new();
            }
            list.Add((tp, ts));
        }
        foreach (var (leader, list) in byLeader)
        {
            BrokerConnection connection = await cluster.GetConnectionAsync(leader, cancellationToken).ConfigureAwait(false);
            short version = connection.Versions.Pick(ApiKey.ListOffsets);
            var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = (sbyte)isolation };
            foreach (var group in list.GroupBy(x => x.Item1.Topic))
            {
                var topic = new ListOffsetsRequest.ListOffsetsTopic { Name = group.Key };
                foreach (var (tp, ts) in group)
                {
                    topic.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = ts });
                }
                request.Topics.Add(topic);
            }
            var response = await connection.SendAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version, request, cancellationToken).ConfigureAwait(false);
            foreach (var topic in response.Topics)
            {
                foreach (var p in topic.Partitions)
                {
                    if (KafkaException.IsRetriableCode((ErrorCode)p.ErrorCode))
                    {
                        cluster.Invalidate(topic.Name);
                    }
                    KafkaException.ThrowIfError(p.ErrorCode, $"ListOffsets {topic.Name}-{p.PartitionIndex}");
                    result[new TopicPartition(topic.Name, p.PartitionIndex)] = p.Offset;
                }
            }
        }
        return result;
    }

    /// <summary>Committed offsets of a group (null partitions: all the group has).</summary>
    public static async Task<Dictionary<TopicPartition, long>> FetchCommittedAsync(BrokerConnection coordinator, string groupId,
        IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        short version = coordinator.Versions.Pick(ApiKey.OffsetFetch);
        var request = new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = partitions?.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic
            {
                Name = g.Key,
                PartitionIndexes = g.Select(p => p.Partition).ToList(),
            }).ToList(),
        };
        if (request.Topics is null && version < 2)
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion, "Listing all of a group's offsets needs OffsetFetch v2.");
        }
        var response = await coordinator.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, version, request, cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, $"OffsetFetch for group {groupId}");
        var result = new Dictionary<TopicPartition, long>();
        foreach (var topic in response.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                KafkaException.ThrowIfError(p.ErrorCode, $"OffsetFetch {topic.Name}-{p.PartitionIndex}");
                result[new TopicPartition(topic.Name, p.PartitionIndex)] = p.CommittedOffset;
            }
        }
        return result;
    }

    /// <summary>Commits offsets for a group member (generation -1 and empty member id: an admin commit to an empty group).</summary>
    public static async Task CommitAsync(BrokerConnection coordinator, string groupId, int generation, string memberId, string? instanceId,
        IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        short version = coordinator.Versions.Pick(ApiKey.OffsetCommit);
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = generation, MemberId = memberId, GroupInstanceId = instanceId };
        foreach (var group in offsets.GroupBy(o => o.Topic))
        {
            var topic = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = group.Key };
            foreach (var o in group)
            {
                topic.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedMetadata = "" });
            }
            request.Topics.Add(topic);
        }
        if (request.Topics.Count == 0)
        {
            return;
        }
        var response = await coordinator.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var topic in response.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                KafkaException.ThrowIfError(p.ErrorCode, $"OffsetCommit {topic.Name}-{p.PartitionIndex} for group {groupId}");
            }
        }
    }
}
