using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Protocol;
using Rill.Storage;
using Rill.Storage.Cleaning;

namespace Rill.Broker.Topics;

/// <summary>Outcome of a topic creation (or its validation).</summary>
internal readonly record struct TopicCreateResult(ErrorCode Error, string? Message, Topic? Topic, Guid TopicId,
    int Partitions, IReadOnlyDictionary<string, string> Overrides)
{
    public static TopicCreateResult Failed(ErrorCode error, string message) =>
        new(error, message, null, Guid.Empty, -1, new Dictionary<string, string>());
}

/// <summary>
/// The topics on this broker. Lookups are lock-free over an immutable snapshot; creation and
/// deletion take a lock, change the partition directories, persist the topic list, then publish
/// a new snapshot.
/// </summary>
internal sealed partial class TopicManager : IAsyncDisposable
{
    private readonly BrokerConfig _config;
    private readonly BrokerConfigLayers _layers;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private const int MaxNewPartitionsPerRequest = 10_000;
    private readonly Lock _changeLock = new();
    private volatile Snapshot _snapshot = new([], []);
    private LogManager? _logs;
    private TopicMetadataStore? _store;
    private ProducerIdAllocator? _producerIds;

    public TopicManager(BrokerConfigLayers layers, TimeProvider time, ILogger log)
    {
        _layers = layers;
        _config = layers.Static;
        _time = time;
        _log = log;
    }

    public ProducerIdAllocator ProducerIds => _producerIds ?? throw new InvalidOperationException("The broker is not started.");

    public IEnumerable<Topic> All => _snapshot.ByName.Values;

    public Topic? Find(string name) => _snapshot.ByName.GetValueOrDefault(name);

    public Topic? Find(Guid id) => _snapshot.ById.GetValueOrDefault(id);

    /// <summary>Opens the log dirs, reads the topic list, and opens (recovering as needed) every partition log.</summary>
    public Task LoadAsync(CancellationToken cancellationToken)
    {
        string dir = _config.LogDirs[0];
        Directory.CreateDirectory(dir);
        _store = new TopicMetadataStore(dir);
        _producerIds = new ProducerIdAllocator(dir);

        var byName = new Dictionary<string, Topic>(StringComparer.Ordinal);
        var byId = new Dictionary<Guid, Topic>();
        var records = _store.Load();
        foreach (TopicRecord record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TopicSettings settings = TopicSettings.Resolve(record.Configs, _layers.Current, out string? error);
            if (error is not null)
            {
                _log.LogWarning("Topic {Topic}: stored config is no longer valid ({Error}); using broker defaults for it", record.Name, error);
            }
            var topic = new Topic(record.Name, record.TopicId, record.Configs, settings);
            byName.Add(topic.Name, topic);
            byId.Add(topic.Id, topic);
        }

        LogConfig defaults = TopicSettings.Resolve(new Dictionary<string, string>(), _layers.Current, out _).Log;
        _logs = LogManager.Open(dir, tp => byName.TryGetValue(tp.Topic, out Topic? t) ? t.Config.Log : defaults, _time,
            _layers.Current.ProducerIdExpirationMs, _config.LogMaxOpenFiles,
            _config.LogDropBehindBytes);
        foreach (Topic topic in byName.Values)
        {
            topic.Partitions = OpenPartitions(topic, records.First(r => r.Name == topic.Name).Partitions);
        }
        foreach (TopicPartition orphan in _logs.ListPartitions())
        {
            if (!byName.TryGetValue(orphan.Topic, out Topic? owner) || orphan.Partition >= owner.Partitions.Length)
            {
                _log.LogWarning("Partition directory {Partition} belongs to no known topic; it is left untouched", orphan);
            }
        }
        StartMaintenance();
        _snapshot = new Snapshot(byName, byId);
        _log.LogInformation("Loaded {Topics} topics from {Dir}", byName.Count, dir);
        if (_logs.DropBehindBytes > 0)
        {
            _log.LogInformation("Page cache: appended data beyond the newest {Bytes} bytes is written back and dropped from it " +
                "(rill.log.drop.behind.bytes{Why})", _logs.DropBehindBytes,
                _config.LogDropBehindBytes < 0 ? ": this virtual machine hands freed memory back to its hypervisor" : "");
        }
        return Task.CompletedTask;
    }

    public TopicCreateResult Create(string name, int partitions, short replicationFactor,
        IReadOnlyList<KeyValuePair<string, string?>> configs, bool validateOnly)
    {
        if (TopicName.Validate(name) is { } invalidName)
        {
            return TopicCreateResult.Failed(ErrorCode.InvalidTopicException, invalidName);
        }
        if (partitions == -1)
        {
            partitions = _config.NumPartitions;
        }
        if (partitions <= 0)
        {
            return TopicCreateResult.Failed(ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0 (got {partitions}).");
        }
        if (replicationFactor == -1)
        {
            replicationFactor = (short)Math.Min(_config.DefaultReplicationFactor, 1);
        }
        if (replicationFactor != 1)
        {
            return TopicCreateResult.Failed(ErrorCode.InvalidReplicationFactor,
                $"Replication factor {replicationFactor} is larger than the number of available brokers (1).");
        }

        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configs)
        {
            if (value is null)
            {
                return TopicCreateResult.Failed(ErrorCode.InvalidConfig, $"Null value not supported for topic config '{key}'.");
            }
            overrides[key] = value;
        }
        TopicSettings settings = TopicSettings.Resolve(overrides, _layers.Current, out string? configError);
        if (configError is not null)
        {
            return TopicCreateResult.Failed(ErrorCode.InvalidConfig, configError);
        }

        lock (_changeLock)
        {
            Snapshot current = _snapshot;
            if (current.ByName.ContainsKey(name))
            {
                return TopicCreateResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }
            if (CollidingName(current, name) is { } other)
            {
                return TopicCreateResult.Failed(ErrorCode.InvalidTopicException,
                    $"Topic '{name}' collides with existing topic '{other}': '.' and '_' are treated as the same in metric names.");
            }
            var id = Guid.NewGuid();
            if (validateOnly)
            {
                return new TopicCreateResult(ErrorCode.None, null, null, Guid.Empty, partitions, overrides);
            }

            // Resolved again under the lock: a dynamic broker change that raced the validation above is
            // re-applied to every topic under this lock, so the new topic must not keep older defaults.
            settings = TopicSettings.Resolve(overrides, _layers.Current, out _);
            var topic = new Topic(name, id, overrides, settings);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                topic.Partitions = OpenPartitions(topic, partitions);
            }
            catch (PartitionStorageException e)
            {
                return TopicCreateResult.Failed(ErrorCode.KafkaStorageError, e.Message);
            }
            var byName = new Dictionary<string, Topic>(current.ByName, StringComparer.Ordinal) { [name] = topic };
            var byId = new Dictionary<Guid, Topic>(current.ById) { [id] = topic };
            if (SaveOrRollBack(byName.Values, topic, 0, partitions) is { } saveError)
            {
                return TopicCreateResult.Failed(ErrorCode.KafkaStorageError, saveError);
            }
            _snapshot = new Snapshot(byName, byId);
            _log.LogInformation("Created topic {Topic} with {Partitions} partitions in {Ms} ms", name, partitions,
                (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new TopicCreateResult(ErrorCode.None, null, topic, id, partitions, overrides);
        }
    }

    public (ErrorCode Error, string? Message) Delete(string name)
    {
        lock (_changeLock)
        {
            Snapshot current = _snapshot;
            if (!current.ByName.TryGetValue(name, out Topic? topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, null);
            }
            var byName = new Dictionary<string, Topic>(current.ByName, StringComparer.Ordinal);
            byName.Remove(name);
            var byId = new Dictionary<Guid, Topic>(current.ById);
            byId.Remove(topic.Id);
            _store!.Save(byName.Values.Select(t => t.ToRecord()));
            _snapshot = new Snapshot(byName, byId);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            _ = _logs!.DeleteLogs(topic.Partitions.Select(p => new TopicPartition(topic.Name, p.Index)));
            _log.LogInformation("Deleted topic {Topic} with {Partitions} partitions in {Ms} ms", name, topic.Partitions.Length,
                (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return (ErrorCode.None, null);
        }
    }

    private Partition[] OpenPartitions(Topic topic, int count) => OpenPartitions(topic, 0, count);

    /// <summary>
    /// Opens partitions <paramref name="from"/> to <paramref name="count"/> - 1 (creating their logs). When the
    /// storage refuses one (disk full, too many open files, ...) the logs created here are removed again and a
    /// <see cref="PartitionStorageException"/> says why: the topic stays as it was, and the broker keeps running.
    /// </summary>
    private Partition[] OpenPartitions(Topic topic, int from, int count, bool lazy = false)
    {
        var partitions = new Partition[count];
        if (from > 0)
        {
            Array.Copy(topic.Partitions, partitions, from);
        }
        int i = from;
        try
        {
            for (; i < count; i++)
            {
                var tp = new TopicPartition(topic.Name, i);
                Func<PartitionLog> open = () => _logs!.GetOrCreateLog(tp, topic.Config.Log);
                partitions[i] = lazy ? new Partition(topic, i, open, _time) : new Partition(topic, i, open(), _time, open);
            }
            return partitions;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveLogsOfFailedCreation(topic, from, Math.Min(i + 1, count));
            _log.LogWarning(e, "Creating partition {Topic}-{Partition} failed; the {Count} partitions of this request were not created", topic.Name, i, count - from);
            throw new PartitionStorageException($"Creating partition {topic.Name}-{i} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Replaces a topic's config overrides with what <paramref name="update"/> computes from the
    /// current ones, validated with Kafka's rules (INVALID_CONFIG naming the config). Unless
    /// <paramref name="validateOnly"/>, the new overrides are persisted and the new settings reach
    /// every partition log at once (the next produce sees them).
    /// </summary>
    public (ErrorCode Error, string? Message) AlterConfigs(string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Overrides, ErrorCode Error, string? Message)> update,
        bool validateOnly)
    {
        lock (_changeLock)
        {
            if (!_snapshot.ByName.TryGetValue(name, out Topic? topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }
            var (overrides, error, message) = update(topic.Overrides);
            if (overrides is null)
            {
                return (error, message);
            }
            TopicSettings settings = TopicSettings.Resolve(overrides, _layers.Current, out string? configError);
            if (configError is not null)
            {
                return (ErrorCode.InvalidConfig, configError);
            }
            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }
            topic.Reconfigure(overrides, settings);
            _store!.Save(_snapshot.ByName.Values.Select(t => t.ToRecord()));
            foreach (Partition partition in topic.Partitions)
            {
                partition.OpenedLog?.UpdateConfig(settings.Log);
            }
            _log.LogInformation("Topic {Topic} configs are now {Configs}", name,
                string.Join(", ", overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Re-resolves every topic against the current broker config (after a dynamic broker config change).</summary>
    public void ReapplyBrokerConfig()
    {
        _log.LogInformation("Dynamic broker configs are now cluster-wide {{{ClusterDefaults}}}, this broker {{{PerBroker}}}",
            string.Join(", ", _layers.ClusterDefaults.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
            string.Join(", ", _layers.PerBroker.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
        if (Cleaner is { } cleaner)
        {
            cleaner.Options = CleanerOptions(_layers.Current);
        }
        lock (_changeLock)
        {
            foreach (Topic topic in _snapshot.ByName.Values)
            {
                Topic.ConfigState state = topic.State;
                TopicSettings settings = TopicSettings.Resolve(state.Overrides, _layers.Current, out string? error);
                if (error is not null)
                {
                    continue; // stored overrides were already reported invalid at load; keep what runs
                }
                topic.Reconfigure(new Dictionary<string, string>(state.Overrides, StringComparer.Ordinal), settings);
                foreach (Partition partition in topic.Partitions)
                {
                    partition.OpenedLog?.UpdateConfig(settings.Log);
                }
            }
        }
    }

    /// <summary>
    /// CreatePartitions: raises <paramref name="name"/>'s partition count to <paramref name="count"/>.
    /// The new partitions' logs are created, then the topic list is persisted, then they become
    /// visible (Metadata, Produce, Fetch).
    /// </summary>
    public (ErrorCode Error, string? Message) AddPartitions(string name, int count, IReadOnlyList<IReadOnlyList<int>>? assignments, bool validateOnly)
    {
        lock (_changeLock)
        {
            if (!_snapshot.ByName.TryGetValue(name, out Topic? topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }
            if (TopicName.IsInternal(name))
            {
                return (ErrorCode.InvalidRequest, $"Cannot change the partition count of internal topic '{name}': the coordinators map keys to its partitions.");
            }
            int current = topic.Partitions.Length;
            if (count < current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic currently has {current} partitions, which is higher than the requested {count}.");
            }
            if (count == current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic already has {current} partitions.");
            }
            if (count - current > MaxNewPartitionsPerRequest)
            {
                return (ErrorCode.InvalidPartitions,
                    $"Adding {count - current} partitions at once is more than this broker allows ({MaxNewPartitionsPerRequest}).");
            }
            if (assignments is not null)
            {
                if (assignments.Count != count - current)
                {
                    return (ErrorCode.InvalidReplicaAssignment,
                        $"Increasing the number of partitions by {count - current} but {assignments.Count} assignments provided.");
                }
                int node = _config.NodeId;
                foreach (IReadOnlyList<int> replicas in assignments)
                {
                    if (replicas.Count != 1 || replicas[0] != node)
                    {
                        return (ErrorCode.InvalidReplicaAssignment,
                            $"Replica assignment [{string.Join(", ", replicas)}] must be [{node}]: this broker is the only one and topics have one replica.");
                    }
                }
            }
            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }

            Partition[] before = topic.Partitions;
            try
            {
                topic.Partitions = OpenPartitions(topic, current, count);
            }
            catch (PartitionStorageException e)
            {
                return (ErrorCode.KafkaStorageError, e.Message);
            }
            if (SaveOrRollBack(_snapshot.ByName.Values, topic, current, count) is { } saveError)
            {
                topic.Partitions = before;
                return (ErrorCode.KafkaStorageError, saveError);
            }
            _log.LogInformation("Topic {Topic} now has {Partitions} partitions (was {Before})", name, count, current);
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Writes the log start offsets now (after DeleteRecords), so they survive a crash.</summary>
    public void CheckpointLogStartOffsets() => _logs?.Checkpoint();

    /// <summary>Writes replication-offset-checkpoint (cluster mode, every replica.high.watermark.checkpoint.interval.ms).</summary>
    public void CheckpointHighWatermarks() => _logs?.CheckpointHighWatermarks();

    /// <summary>The log directory (this Rill version keeps data in one).</summary>
    public string LogDirectory => _config.LogDirs[0];

    private static string? CollidingName(Snapshot snapshot, string name)
    {
        if (!name.Contains('.') && !name.Contains('_'))
        {
            return null;
        }
        string normalized = name.Replace('.', '_');
        foreach (string existing in snapshot.ByName.Keys)
        {
            if (existing.Replace('.', '_') == normalized)
            {
                return existing;
            }
        }
        return null;
    }

    /// <summary>The log cleaner (log.cleaner.enable), compacting topics whose cleanup.policy includes compact.</summary>
    public LogCleaner? Cleaner => _logs?.Cleaner;

    /// <summary>Asks storage to start its background work (flush, retention, checkpoints, delayed deletion, cleaner).</summary>
    private void StartMaintenance()
    {
        LogCleanerOptions? cleaner = _config.LogCleanerEnable && _config.LogCleanerThreads >= 1 ? CleanerOptions(_layers.Current) : null;
        if (cleaner is null)
        {
            _log.LogInformation("Log cleaner disabled (log.cleaner.enable / log.cleaner.threads): compacted topics are not compacted");
        }
        _logs!.MaintenanceFailed += e => _log.LogWarning(e, "Background flush, retention or checkpoint failed; retrying on the next tick");
        _logs.RetentionDeletedSegments += (tp, segments, logStart) => _log.LogInformation(
            "Retention deleted {Segments} segments of {Partition}; log start offset is now {LogStartOffset}", segments, tp, logStart);
        _logs.StartMaintenance(new LogMaintenanceOptions
        {
            FlushSchedulerIntervalMs = _config.LogFlushSchedulerIntervalMs,
            RetentionCheckIntervalMs = _config.LogRetentionCheckIntervalMs,
            CheckpointIntervalMs = _config.LogFlushOffsetCheckpointIntervalMs,
            ProducerIdExpirationMs = () => _layers.Current.ProducerIdExpirationMs,
            Cleaner = cleaner,
        }, c =>
        {
            c.Cleaned += Metrics.BrokerMeters.RecordCleanerPass;
            c.Cleaned += stats => _log.LogInformation(
                "Cleaned {Log}: {Read:F1} MB -> {Written:F1} MB in {Seconds:F2} s ({Rate:F0} MB/s), {Kept}/{Read2} records kept, {Tombstones} tombstones removed, clean up to offset {Offset}",
                stats.Log, stats.BytesRead / 1e6, stats.BytesWritten / 1e6, stats.Elapsed.TotalSeconds, stats.MegabytesPerSecond,
                stats.RecordsKept, stats.RecordsRead, stats.TombstonesDropped, stats.CleanedUpTo);
            c.Failed += (tp, e) => _log.LogWarning(e, "Cleaning {Partition} failed; it is left as it was and retried later", tp);
        });
    }

    private static LogCleanerOptions CleanerOptions(BrokerConfig config) => new()
    {
        BackoffMs = config.LogCleanerBackoffMs,
        DedupeBufferSize = config.LogCleanerDedupeBufferSize,
    };

    public async ValueTask DisposeAsync()
    {
        if (_logs is not null)
        {
            await _logs.StopMaintenanceAsync().ConfigureAwait(false);
            _logs.Dispose();
        }
    }
    private sealed record Snapshot(Dictionary<string, Topic> ByName, Dictionary<Guid, Topic> ById);
}

/// <summary>The storage could not create a partition's log; nothing of the request was kept.</summary>
internal sealed class PartitionStorageException(string message, Exception inner) : Exception(message, inner);
