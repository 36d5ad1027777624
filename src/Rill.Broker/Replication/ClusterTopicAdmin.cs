using Rill.Broker.Topics;
using Rill.Cluster;
using Rill.Cluster.Topics;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>Outcome of a cluster-wide topic creation.</summary>
internal readonly record struct ClusterCreateResult(ErrorCode Error, string? Message, Guid TopicId, int Partitions, short ReplicationFactor,
    IReadOnlyDictionary<string, string> Overrides)
{
    public static ClusterCreateResult Failed(ErrorCode error, string? message) => new(error, message, Guid.Empty, -1, -1, new Dictionary<string, string>());
}

/// <summary>
/// CreateTopics, DeleteTopics and CreatePartitions in cluster mode: validated here, decided in the metadata
/// store (compare-and-swap on the topic key; a conflict is read from the store, not from a cache), then
/// answered once this broker has applied the change, so its own Metadata shows it. Replicas are placed on the
/// live brokers by <see cref="ReplicaPlacement"/> (rack-aware); the first replica leads, the ISR is every replica.
/// </summary>
internal sealed class ClusterTopicAdmin
{
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(10);
    private readonly ReplicaManager _replicas;

    public ClusterTopicAdmin(ReplicaManager replicas) => _replicas = replicas;

    private KafkaBroker Broker => _replicas.Broker;

    public async Task<ClusterCreateResult> CreateAsync(string name, int partitions, short replicationFactor,
        IReadOnlyList<(int Partition, IReadOnlyList<int> Brokers)> assignments, IReadOnlyList<KeyValuePair<string, string?>> configs, bool validateOnly)
    {
        if (TopicName.Validate(name) is { } invalidName)
        {
            return ClusterCreateResult.Failed(ErrorCode.InvalidTopicException, invalidName);
        }
        IReadOnlyList<BrokerInfo> brokers = _replicas.Member.Brokers;
        int[][] placement;
        if (assignments.Count > 0)
        {
            var live = brokers.Select(b => b.Id).ToHashSet();
            var ordered = assignments.OrderBy(a => a.Partition).ToArray();
            for (int i = 0; i < ordered.Length; i++)
            {
                if (ordered[i].Partition != i)
                {
                    return ClusterCreateResult.Failed(ErrorCode.InvalidReplicaAssignment, "Partition indexes must be consecutive from 0.");
                }
                if (AssignmentError(ordered[i].Brokers, live, ordered[0].Brokers.Count) is { } error)
                {
                    return ClusterCreateResult.Failed(ErrorCode.InvalidReplicaAssignment, $"Partition {i}: {error}");
                }
            }
            placement = ordered.Select(a => a.Brokers.ToArray()).ToArray();
        }
        else
        {
            partitions = partitions == -1 ? Broker.Config.NumPartitions : partitions;
            replicationFactor = replicationFactor == -1 ? (short)Broker.Config.DefaultReplicationFactor : replicationFactor;
            if (partitions <= 0)
            {
                return ClusterCreateResult.Failed(ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0 (got {partitions}).");
            }
            if (replicationFactor <= 0 || replicationFactor > brokers.Count)
            {
                return ClusterCreateResult.Failed(ErrorCode.InvalidReplicationFactor,
                    $"Replication factor {replicationFactor} is larger than the number of available brokers ({brokers.Count}).");
            }
            placement = ReplicaPlacement.Place(brokers, partitions, replicationFactor, 0, Random.Shared.Next(brokers.Count));
        }

        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configs)
        {
            if (value is null)
            {
                return ClusterCreateResult.Failed(ErrorCode.InvalidConfig, $"Null value not supported for topic config '{key}'.");
            }
            overrides[key] = value;
        }
        TopicSettings.Resolve(overrides, Broker.ConfigLayers.Current, out string? configError);
        if (configError is not null)
        {
            return ClusterCreateResult.Failed(ErrorCode.InvalidConfig, configError);
        }
        if (CollidingName(name) is { } other)
        {
            return ClusterCreateResult.Failed(ErrorCode.InvalidTopicException,
                $"Topic '{name}' collides with existing topic '{other}': '.' and '_' are treated as the same in metric names.");
        }
        var state = new TopicState(name, Guid.NewGuid(), overrides,
            placement.Select(replicas => new PartitionState(replicas, replicas[0], 0, replicas)).ToArray());
        short rf = (short)placement[0].Length;
        try
        {
            if (validateOnly)
            {
                return await _replicas.Registry.ReadAsync(name).ConfigureAwait(false) is not null
                    ? ClusterCreateResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.")
                    : new ClusterCreateResult(ErrorCode.None, null, Guid.Empty, placement.Length, rf, overrides);
            }
            if (!await _replicas.Registry.TryCreateAsync(state).ConfigureAwait(false))
            {
                return ClusterCreateResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ClusterCreateResult.Failed(ErrorCode.KafkaStorageError, "The cluster metadata store is unavailable: " + e.Message);
        }
        await WaitLocalAsync(() => Broker.Topics.Find(name) is { } t && t.Id == state.Id && t.Partitions.All(p => p.Replica is not null)).ConfigureAwait(false);
        return new ClusterCreateResult(ErrorCode.None, null, state.Id, placement.Length, rf, overrides);
    }

    /// <summary>Auto-creation (Metadata with auto.create.topics.enable): defaults, answered by the caller with LEADER_NOT_AVAILABLE meanwhile.</summary>
    public Task AutoCreateAsync(string name) => CreateAsync(name, -1, -1, [], [], validateOnly: false);

    public async Task<(ErrorCode Error, string? Message)> DeleteAsync(string name)
    {
        try
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                VersionedTopic? current = await _replicas.Registry.ReadAsync(name).ConfigureAwait(false);
                if (current is null)
                {
                    return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
                }
                if (await _replicas.Registry.TryDeleteAsync(name, current.ModRevision).ConfigureAwait(false))
                {
                    await WaitLocalAsync(() => Broker.Topics.Find(name) is null).ConfigureAwait(false);
                    return (ErrorCode.None, null);
                }
            }
            return (ErrorCode.ConcurrentTransactions, $"Topic '{name}' kept changing; retry.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (ErrorCode.KafkaStorageError, "The cluster metadata store is unavailable: " + e.Message);
        }
    }

    public async Task<(ErrorCode Error, string? Message)> AddPartitionsAsync(string name, int count, IReadOnlyList<IReadOnlyList<int>>? assignments, bool validateOnly)
    {
        if (TopicName.IsInternal(name))
        {
            return (ErrorCode.InvalidRequest, $"Cannot change the partition count of internal topic '{name}'.");
        }
        try
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                VersionedTopic? current = await _replicas.Registry.ReadAsync(name).ConfigureAwait(false);
                if (current is null)
                {
                    return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
                }
                int existing = current.State.Partitions.Length;
                if (count < existing)
                {
                    return (ErrorCode.InvalidPartitions, $"Topic currently has {existing} partitions, which is higher than the requested {count}.");
                }
                if (count == existing)
                {
                    return (ErrorCode.InvalidPartitions, $"Topic already has {existing} partitions.");
                }
                int rf = current.State.Partitions[0].Replicas.Length;
                IReadOnlyList<BrokerInfo> brokers = _replicas.Member.Brokers;
                int[][] placement;
                if (assignments is not null)
                {
                    if (assignments.Count != count - existing)
                    {
                        return (ErrorCode.InvalidReplicaAssignment,
                            $"Increasing the number of partitions by {count - existing} but {assignments.Count} assignments provided.");
                    }
                    var live = brokers.Select(b => b.Id).ToHashSet();
                    foreach (IReadOnlyList<int> replicas in assignments)
                    {
                        if (AssignmentError(replicas, live, rf) is { } error)
                        {
                            return (ErrorCode.InvalidReplicaAssignment, error);
                        }
                    }
                    placement = assignments.Select(a => a.ToArray()).ToArray();
                }
                else
                {
                    if (rf > brokers.Count)
                    {
                        return (ErrorCode.InvalidReplicationFactor, $"Replication factor {rf} is larger than the number of available brokers ({brokers.Count}).");
                    }
                    placement = ReplicaPlacement.Place(brokers, count - existing, rf, existing, Random.Shared.Next(brokers.Count));
                }
                if (validateOnly)
                {
                    return (ErrorCode.None, null);
                }
                TopicState next = current.State with
                {
                    Partitions = [.. current.State.Partitions, .. placement.Select(r => new PartitionState(r, r[0], 0, r))],
                };
                if (await _replicas.Registry.TryUpdateAsync(next, current.ModRevision).ConfigureAwait(false))
                {
                    await WaitLocalAsync(() => Broker.Topics.Find(name) is { } t && t.Partitions.Length >= count && t.Partitions.All(p => p.Replica is not null))
                        .ConfigureAwait(false);
                    return (ErrorCode.None, null);
                }
            }
            return (ErrorCode.ConcurrentTransactions, $"Topic '{name}' kept changing; retry.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (ErrorCode.KafkaStorageError, "The cluster metadata store is unavailable: " + e.Message);
        }
    }

    private static string? AssignmentError(IReadOnlyList<int> replicas, HashSet<int> live, int replicationFactor)
    {
        if (replicas.Count == 0 || replicas.Count != replicationFactor)
        {
            return $"Replica assignment [{string.Join(", ", replicas)}] must list {replicationFactor} brokers (every partition has the same replication factor).";
        }
        if (replicas.Distinct().Count() != replicas.Count)
        {
            return $"Replica assignment [{string.Join(", ", replicas)}] names a broker twice.";
        }
        if (replicas.FirstOrDefault(r => !live.Contains(r), -1) is var unknown and >= 0)
        {
            return $"Broker {unknown} in replica assignment [{string.Join(", ", replicas)}] is not a live broker.";
        }
        return null;
    }

    private string? CollidingName(string name)
    {
        if (!name.Contains('.') && !name.Contains('_'))
        {
            return null;
        }
        string normalized = name.Replace('.', '_');
        return _replicas.Registry.Topics.Keys.FirstOrDefault(existing => existing != name && existing.Replace('.', '_') == normalized);
    }

    private static async Task WaitLocalAsync(Func<bool> applied)
    {
        DateTime deadline = DateTime.UtcNow + ApplyTimeout;
        while (!applied() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
