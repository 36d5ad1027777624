using Microsoft.Extensions.Logging;
using Rill.Broker.Replication;
using Rill.Broker.Topics;
using Rill.Broker.Transactions;
using Rill.Cluster;
using Rill.Cluster.Topics;
using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Broker.Clustering;

/// <summary>
/// Cluster mode: the group coordinator of a group and the transaction coordinator of a transactional id
/// live on the leader of the key's partition of __consumer_offsets / __transaction_state, which are
/// replicated cluster topics. This class
/// <list type="bullet">
/// <item>creates those topics on first use (FindCoordinator), through the metadata store, with
/// offsets.topic.num.partitions / transaction.state.log.num.partitions partitions and their replication
/// factors capped at the live brokers, as Kafka's first creation does;</item>
/// <item>answers FindCoordinator with the partition's leader (COORDINATOR_NOT_AVAILABLE while it has none);</item>
/// <item>tells the coordinators, per key, whether this broker serves it (NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, or NONE);</item>
/// <item>loads a partition's groups / transactions from the log when this broker becomes its leader (in a
/// new leader epoch) and unloads them when it stops leading it (Kafka's onElection / onResignation).</item>
/// </list>
/// Leadership comes from the replicas the <see cref="ReplicaManager"/> applied; it is re-checked on every
/// topic change and every 250 ms, so a missed change or a failed load is picked up again.
/// </summary>
internal sealed class CoordinatorPlacement : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private readonly KafkaBroker _broker;
    private readonly ReplicaManager _replicas;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Topic, int Partition), PartitionLoad> _loads = [];
    private readonly HashSet<string> _creating = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public CoordinatorPlacement(KafkaBroker broker, ReplicaManager replicas, ILogger log)
    {
        _broker = broker;
        _replicas = replicas;
        _log = log;
    }

    /// <summary>Starts deciding: the coordinators ask this class from now on, and loads follow leadership.</summary>
    public void Start()
    {
        _broker.Groups.Placement = GroupAvailability;
        _broker.Transactions.Coordinator.Placement = TransactionAvailability;
        _broker.Transactions.Markers.Cluster = new ClusterMarkerRoute(_replicas);
        _broker.Transactions.Remote = new RemoteTxnVerification(_broker, this);
        _replicas.Registry.TopicChanged += OnTopicChanged;
        Evaluate();
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private static bool IsCoordinatorTopic(string name) => name is ConsumerOffsetsLog.TopicName or TransactionStateLog.TopicName;

    /// <summary>NONE when this broker coordinates the group now.</summary>
    public ErrorCode GroupAvailability(string groupId) => Availability(ConsumerOffsetsLog.TopicName, groupId);

    /// <summary>NONE when this broker coordinates the transactional id now.</summary>
    public ErrorCode TransactionAvailability(string transactionalId) => Availability(TransactionStateLog.TopicName, transactionalId);

    private ErrorCode Availability(string topicName, string key)
    {
        if (_broker.Topics.Find(topicName) is not { } topic)
        {
            return ErrorCode.NotCoordinator;
        }
        Partition? partition = topic.GetPartition(ConsumerOffsetsLog.PartitionFor(key, topic.Partitions.Length));
        if (partition?.Replica is not { IsLeader: true } replica)
        {
            return ErrorCode.NotCoordinator;
        }
        lock (_gate)
        {
            return _loads.TryGetValue((topicName, partition.Index), out PartitionLoad? load) && load.Ready && load.Epoch == replica.LeaderEpoch
                ? ErrorCode.None
                : ErrorCode.CoordinatorLoadInProgress;
        }
    }

    /// <summary>
    /// FindCoordinator in a cluster: the leader of the key's partition (key type 0: group, 1: transactional
    /// id). The internal topic is created on first use; COORDINATOR_NOT_AVAILABLE until it has a leader.
    /// </summary>
    public (ErrorCode Error, string? Message, int NodeId, string Host, int Port) Find(sbyte keyType, string key, string? listenerName)
    {
        string topicName = keyType == 0 ? ConsumerOffsetsLog.TopicName : TransactionStateLog.TopicName;
        if (_replicas.Registry.Find(topicName) is not { } versioned)
        {
            EnsureCreated(topicName);
            return (ErrorCode.CoordinatorNotAvailable, $"{topicName} is being created.", -1, "", -1);
        }
        PartitionState[] partitions = versioned.State.Partitions;
        int index = ConsumerOffsetsLog.PartitionFor(key, partitions.Length);
        int leader = partitions[index].Leader;
        if (leader < 0)
        {
            return (ErrorCode.CoordinatorNotAvailable, $"{topicName}-{index} has no leader.", -1, "", -1);
        }
        if (leader == _broker.Cluster.NodeId)
        {
            var (host, port) = _broker.Cluster.AdvertisedFor(listenerName);
            return (ErrorCode.None, null, leader, host, port);
        }
        // The coordinator's address on the listener the client came in on (as Metadata answers).
        return _replicas.Member.Brokers.FirstOrDefault(b => b.Id == leader) is { } broker && broker.EndpointFor(listenerName) is { } address
            ? (ErrorCode.None, null, broker.Id, address.Host, address.Port)
            : (ErrorCode.CoordinatorNotAvailable, $"The leader of {topicName}-{index} (broker {leader}) is not registered on this listener.", -1, "", -1);
    }

    /// <summary>Creates the internal topic through the metadata store (once at a time), as Kafka does on the first FindCoordinator.</summary>
    private void EnsureCreated(string topicName)
    {
        lock (_gate)
        {
            if (!_creating.Add(topicName))
            {
                return;
            }
        }
        _ = Task.Run(async () =>
        {
            try
            {
                BrokerConfigCopy c = BrokerConfigCopy.Of(_broker, topicName);
                int live = _replicas.Member.Brokers.Count;
                short replicationFactor = (short)Math.Max(1, Math.Min(c.ReplicationFactor, live));
                var configs = new List<KeyValuePair<string, string?>>
                {
                    new("cleanup.policy", "compact"),
                    new("segment.bytes", c.SegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                };
                if (c.MinIsr is int minIsr)
                {
                    configs.Add(new("min.insync.replicas", Math.Min(minIsr, replicationFactor).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                ClusterCreateResult result = await _replicas.Admin.CreateAsync(topicName, c.Partitions, replicationFactor, [], configs, validateOnly: false)
                    .ConfigureAwait(false);
                if (result.Error is ErrorCode.None or ErrorCode.TopicAlreadyExists)
                {
                    _log.LogInformation("{Topic}: {Outcome} ({Partitions} partitions, replication factor {Rf})", topicName,
                        result.Error == ErrorCode.None ? "created" : "already created", c.Partitions, replicationFactor);
                }
                else
                {
                    _log.LogWarning("Creating {Topic} failed: {Error} {Message}", topicName, result.Error, result.Message);
                }
            }
            finally
            {
                lock (_gate)
                {
                    _creating.Remove(topicName);
                }
            }
        });
    }

    private void OnTopicChanged(string name, VersionedTopic? state)
    {
        if (IsCoordinatorTopic(name))
        {
            Evaluate();
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Evaluate();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Loads the partitions this broker newly leads (or leads in a new epoch) and unloads those it no longer leads.</summary>
    private void Evaluate()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        foreach (string name in new[] { ConsumerOffsetsLog.TopicName, TransactionStateLog.TopicName })
        {
            Topic? topic = _broker.Topics.Find(name);
            lock (_gate)
            {
                foreach (var key in _loads.Keys.Where(k => k.Topic == name).ToList())
                {
                    Partition? partition = topic?.GetPartition(key.Partition);
                    if (partition?.Replica is not { IsLeader: true } replica || replica.LeaderEpoch != _loads[key].Epoch)
                    {
                        _loads.Remove(key);
                        Unload(name, key.Partition, topic?.Partitions.Length ?? 0);
                    }
                }
                if (topic is null)
                {
                    continue;
                }
                foreach (Partition partition in topic.Partitions)
                {
                    if (partition.Replica is { IsLeader: true } replica && !_loads.ContainsKey((name, partition.Index)))
                    {
                        var load = new PartitionLoad(replica.LeaderEpoch);
                        _loads[(name, partition.Index)] = load;
                        _ = Task.Run(() => LoadAsync(name, partition, load));
                    }
                }
            }
        }
    }

    private void LoadAsync(string name, Partition partition, PartitionLoad load)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int count = partition.Topic.Partitions.Length;
        int records;
        try
        {
            if (name == ConsumerOffsetsLog.TopicName)
            {
                var open = new List<(long ProducerId, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)>();
                records = _broker.Groups.LoadPartition(ConsumerOffsetsLog.ReadPartition(partition, open),
                    () => open.Select(r => KafkaBroker.PendingOffset(r)).OfType<PendingTxnOffset>());
            }
            else
            {
                records = _broker.Transactions.Coordinator.LoadPartition(TransactionStateLog.ReadPartition(partition));
            }
        }
        catch (Exception e)
        {
            _log.LogWarning("Loading {Topic}-{Partition} failed (retrying): {Message}", name, partition.Index, e.Message);
            lock (_gate)
            {
                if (_loads.TryGetValue((name, partition.Index), out PartitionLoad? current) && current == load)
                {
                    _loads.Remove((name, partition.Index));
                    Unload(name, partition.Index, count);
                }
            }
            return;
        }
        lock (_gate)
        {
            if (_loads.TryGetValue((name, partition.Index), out PartitionLoad? current) && current == load)
            {
                load.Ready = true;
            }
        }
        _log.LogInformation("{Topic}-{Partition}: coordinator loaded {Records} records in {Elapsed} ms (leader epoch {Epoch})", name,
            partition.Index, records, (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, load.Epoch);
    }

    private void Unload(string name, int partition, int count)
    {
        if (count == 0)
        {
            return;
        }
        Func<string, bool> inPartition = key => ConsumerOffsetsLog.PartitionFor(key, count) == partition;
        int removed = name == ConsumerOffsetsLog.TopicName
            ? _broker.Groups.Unload(inPartition)
            : _broker.Transactions.Coordinator.Unload(inPartition);
        _log.LogInformation("{Topic}-{Partition}: no longer led here; {Removed} coordinator entries unloaded", name, partition, removed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _replicas.Registry.TopicChanged -= OnTopicChanged;
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class PartitionLoad(int epoch)
    {
        public int Epoch { get; } = epoch;
        public bool Ready { get; set; }
    }

    /// <summary>The creation settings of one internal topic.</summary>
    private readonly record struct BrokerConfigCopy(int Partitions, int ReplicationFactor, int SegmentBytes, int? MinIsr)
    {
        public static BrokerConfigCopy Of(KafkaBroker broker, string topicName) => topicName == ConsumerOffsetsLog.TopicName
            ? new(broker.Config.OffsetsTopicNumPartitions, broker.Config.OffsetsTopicReplicationFactor, broker.Config.OffsetsTopicSegmentBytes, null)
            : new(broker.Config.TransactionStateLogNumPartitions, broker.Config.TransactionStateLogReplicationFactor,
                broker.Config.TransactionStateLogSegmentBytes, broker.Config.TransactionStateLogMinIsr);
    }
}
