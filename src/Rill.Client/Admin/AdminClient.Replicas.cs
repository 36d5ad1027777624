using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>ElectLeaders' election types (KIP-460).</summary>
public enum ElectionType : sbyte
{
    /// <summary>The first replica of the assignment leads, if it is live and in sync.</summary>
    Preferred = 0,
    /// <summary>For partitions without a live leader: any live replica, in sync or not (records may be lost).</summary>
    Unclean = 1,
}

/// <summary>The outcome of an election for one partition (ErrorCode None: elected).</summary>
public sealed record ElectionResult(TopicPartition Partition, ErrorCode Error, string? Message);

/// <summary>The outcome of a reassignment request for one partition (ErrorCode None: started, completed or cancelled).</summary>
public sealed record ReassignmentResult(TopicPartition Partition, ErrorCode Error, string? Message);

/// <summary>A reassignment in progress: the full replica list and the replicas being added and removed.</summary>
public sealed record PartitionReassignmentState(TopicPartition Partition, IReadOnlyList<int> Replicas, IReadOnlyList<int> Adding, IReadOnlyList<int> Removing);

public sealed partial class AdminClient
{
    /// <summary>
    /// Elects leaders (KIP-460): the preferred replica, or an unclean election for partitions without a live leader.
    /// Null <paramref name="partitions"/> means every partition (the answer then omits those needing no election).
    /// Throws for a request-level error; per-partition errors are in the results.
    /// </summary>
    public async Task<IReadOnlyList<ElectionResult>> ElectLeadersAsync(ElectionType type, IReadOnlyCollection<TopicPartition>? partitions,
        CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.ElectLeaders, cancellationToken).ConfigureAwait(false);
        if (version == 0 && type != ElectionType.Preferred)
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion, "The broker only supports preferred leader elections (ElectLeaders v0).");
        }
        var request = new ElectLeadersRequest
        {
            ElectionType = (sbyte)type,
            TimeoutMs = _cluster.Config.RequestTimeoutMs,
            TopicPartitions = partitions?.GroupBy(p => p.Topic)
                .Select(g => new ElectLeadersRequest.ElectionTopic { Topic = g.Key, Partitions = [.. g.Select(p => p.Partition)] }).ToList(),
        };
        var response = await connection.SendAsync<ElectLeadersResponse>(ApiKey.ElectLeaders, version, request, cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "ElectLeaders", null);
        return [.. response.ReplicaElectionResults.SelectMany(t => t.PartitionResult.Select(p =>
            new ElectionResult(new TopicPartition(t.Topic, p.PartitionId), (ErrorCode)p.ErrorCode, p.ErrorMessage)))];
    }

    /// <summary>Moves partitions to new replica lists (KIP-455); a null list cancels the partition's reassignment in progress.</summary>
    public async Task<IReadOnlyList<ReassignmentResult>> AlterPartitionReassignmentsAsync(IReadOnlyDictionary<TopicPartition, IReadOnlyList<int>?> reassignments,
        CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.AlterPartitionReassignments, cancellationToken).ConfigureAwait(false);
        var request = new AlterPartitionReassignmentsRequest { TimeoutMs = _cluster.Config.RequestTimeoutMs };
        foreach (var topic in reassignments.GroupBy(r => r.Key.Topic))
        {
            request.Topics.Add(new AlterPartitionReassignmentsRequest.ReassignableTopic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(r => new AlterPartitionReassignmentsRequest.ReassignablePartition
                {
                    PartitionIndex = r.Key.Partition, Replicas = r.Value is null ? null : [.. r.Value],
                })],
            });
        }
        var response = await connection.SendAsync<AlterPartitionReassignmentsResponse>(ApiKey.AlterPartitionReassignments, version, request, cancellationToken)
            .ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "AlterPartitionReassignments", response.ErrorMessage);
        return [.. response.Responses.SelectMany(t => t.Partitions.Select(p =>
            new ReassignmentResult(new TopicPartition(t.Name, p.PartitionIndex), (ErrorCode)p.ErrorCode, p.ErrorMessage)))];
    }

    /// <summary>The reassignments in progress (null <paramref name="partitions"/>: all of them).</summary>
    public async Task<IReadOnlyList<PartitionReassignmentState>> ListPartitionReassignmentsAsync(IReadOnlyCollection<TopicPartition>? partitions = null,
        CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.ListPartitionReassignments, cancellationToken).ConfigureAwait(false);
        var request = new ListPartitionReassignmentsRequest
        {
            TimeoutMs = _cluster.Config.RequestTimeoutMs,
            Topics = partitions?.GroupBy(p => p.Topic).Select(g => new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics
            {
                Name = g.Key, PartitionIndexes = [.. g.Select(p => p.Partition)],
            }).ToList(),
        };
        var response = await connection.SendAsync<ListPartitionReassignmentsResponse>(ApiKey.ListPartitionReassignments, version, request, cancellationToken)
            .ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "ListPartitionReassignments", response.ErrorMessage);
        return [.. response.Topics.SelectMany(t => t.Partitions.Select(p =>
            new PartitionReassignmentState(new TopicPartition(t.Name, p.PartitionIndex), p.Replicas, p.AddingReplicas, p.RemovingReplicas)))];
    }
}
