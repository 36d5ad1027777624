using Rill.Client.Consuming;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>Topics, partitions, configs, groups and the cluster description, over Kafka's admin APIs.</summary>
public sealed partial class AdminClient : IAsyncDisposable
{
    private readonly KafkaCluster _cluster;

    /// <summary>An admin client for the cluster at <see cref="ClientConfig.BootstrapServers"/>; connects on first use.</summary>
    public AdminClient(AdminClientConfig config)
    {
        _cluster = new KafkaCluster(config);
    }

    private async Task<(BrokerConnection Connection, short Version)> ControllerAsync(ApiKey key, CancellationToken cancellationToken)
    {
        if (_cluster.ControllerId < 0)
        {
            await _cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
        }
        BrokerConnection connection = _cluster.ControllerId >= 0
            ? await _cluster.GetConnectionAsync(_cluster.ControllerId, cancellationToken).ConfigureAwait(false)
            : await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (connection, connection.Versions.Pick(key));
    }

    /// <summary>Creates these topics (partitions and replication factor -1: the broker's defaults); with <paramref name="validateOnly"/> only checks them. Throws a <see cref="KafkaException"/> for the first topic that fails.</summary>
    public async Task CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.CreateTopics, cancellationToken).ConfigureAwait(false);
        var request = new CreateTopicsRequest { TimeoutMs = _cluster.Config.RequestTimeoutMs, ValidateOnly = validateOnly };
        foreach (var t in topics)
        {
            var creatable = new CreateTopicsRequest.CreatableTopic { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = t.ReplicationFactor };
            foreach (var (name, value) in t.Configs ?? new Dictionary<string, string>())
            {
                creatable.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = name, Value = value });
            }
            request.Topics.Add(creatable);
        }
        var response = await connection.SendAsync<CreateTopicsResponse>(ApiKey.CreateTopics, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Topics)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Create topic {r.Name}", r.ErrorMessage);
        }
    }

    /// <summary>Deletes these topics and their data; throws a <see cref="KafkaException"/> for the first one that fails.</summary>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.DeleteTopics, cancellationToken).ConfigureAwait(false);
        var request = new DeleteTopicsRequest { TopicNames = topics.ToList(), TimeoutMs = _cluster.Config.RequestTimeoutMs };
        var response = await connection.SendAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Responses)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Delete topic {r.Name}", r.ErrorMessage);
            _cluster.Invalidate(r.Name ?? "");
        }
    }

    /// <summary>Raises a topic's partition count to <paramref name="totalCount"/>.</summary>
    public async Task CreatePartitionsAsync(string topic, int totalCount, CancellationToken cancellationToken = default)
    {
        var (connection, version) = await ControllerAsync(ApiKey.CreatePartitions, cancellationToken).ConfigureAwait(false);
        var request = new CreatePartitionsRequest { TimeoutMs = _cluster.Config.RequestTimeoutMs };
        request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = totalCount, Assignments = null });
        var response = await connection.SendAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Results)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Create partitions of {r.Name}", r.ErrorMessage);
        }
        _cluster.Invalidate(topic);
    }

    /// <summary>Names of the topics (internal ones only when asked).</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var response = await _cluster.RefreshAsync(null, cancellationToken, autoCreate: false).ConfigureAwait(false);
        return response.Topics.Where(t => t.ErrorCode == 0 && t.Name is not null && (includeInternal || !t.IsInternal))
            .Select(t => t.Name!).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Describes these topics (null: all); throws UNKNOWN_TOPIC_OR_PARTITION for a missing one.</summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IReadOnlyCollection<string>? topics = null, CancellationToken cancellationToken = default)
    {
        var response = await _cluster.RefreshAsync(topics, cancellationToken, autoCreate: false).ConfigureAwait(false);
        var result = new List<TopicDescription>();
        foreach (var t in response.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (topics is null && t.IsInternal)
            {
                continue;
            }
            KafkaException.ThrowIfError(t.ErrorCode, $"Describe topic {t.Name}");
            result.Add(new TopicDescription(t.Name!, t.TopicId, t.IsInternal, t.Partitions.OrderBy(p => p.PartitionIndex)
                .Select(p => new PartitionMetadata(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes)).ToList()));
        }
        return result;
    }

    /// <summary>The cluster id, the controller and the brokers (DescribeCluster, or Metadata from brokers without it).</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!connection.Versions.Supports(ApiKey.DescribeCluster))
        {
            await _cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
            return new ClusterDescription(_cluster.ClusterId, _cluster.ControllerId, _cluster.Brokers);
        }
        short version = connection.Versions.Pick(ApiKey.DescribeCluster);
        var response = await connection.SendAsync<DescribeClusterResponse>(ApiKey.DescribeCluster, version, new DescribeClusterRequest(), cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "DescribeCluster", response.ErrorMessage);
        return new ClusterDescription(response.ClusterId, response.ControllerId,
            response.Brokers.Select(b => new BrokerNode(b.BrokerId, b.Host, b.Port, b.Rack)).OrderBy(b => b.NodeId).ToList());
    }

    /// <summary>First (earliest) or next (latest) offsets, or the first offset at a timestamp, per partition.</summary>
    public Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(IEnumerable<(TopicPartition Partition, long Timestamp)> queries, CancellationToken cancellationToken = default)
        => OffsetClient.ListOffsetsAsync(_cluster, queries, IsolationLevel.ReadUncommitted, cancellationToken);

    /// <summary>Closes the connections.</summary>
    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
