namespace Rill.Broker.Config;

/// <summary>
/// Typed accessors for every setting the broker reads, and the values Kafka derives from several properties. The
/// defaults of topic configs (log.segment.bytes, ...) are not here: <see cref="TopicConfig"/> takes them from the
/// catalogue's broker synonyms.
/// </summary>
public sealed partial class BrokerConfig
{
    private const long MsPerMinute = 60_000, MsPerHour = 3_600_000;

    /// <summary>node.id, else broker.id if set, else 1.</summary>
    public int NodeId { get; private set; }

    /// <summary>Listeners the broker serves Kafka clients on (controller listeners excluded).</summary>
    public IReadOnlyList<ListenerAddress> Listeners { get; private set; } = [];

    /// <summary>advertised.listeners; empty when not set (the broker then advertises the addresses it bound).</summary>
    public IReadOnlyList<ListenerAddress> AdvertisedListeners { get; private set; } = [];

    /// <summary>log.dirs, else log.dir (Rill default ./rill-data), as full paths. This Rill version keeps data in one directory.</summary>
    public IReadOnlyList<string> LogDirs { get; private set; } = [];

    public int NumPartitions => GetInt("num.partitions");

    public int DefaultReplicationFactor => GetInt("default.replication.factor");

    public bool AutoCreateTopicsEnable => GetBool("auto.create.topics.enable");

    public bool DeleteTopicEnable => GetBool("delete.topic.enable");

    public int SocketRequestMaxBytes => GetInt("socket.request.max.bytes");

    public int FetchMaxBytes => GetInt("fetch.max.bytes");

    /// <summary>log.roll.ms, else log.roll.hours x 3,600,000.</summary>
    public long LogRollMs { get; private set; }

    /// <summary>log.roll.jitter.ms, else log.roll.jitter.hours x 3,600,000.</summary>
    public long LogRollJitterMs { get; private set; }

    /// <summary>log.retention.ms, else minutes, else hours (default 168 h); -1 (any negative) means no time limit.</summary>
    public long LogRetentionMs { get; private set; }

    public long LogRetentionCheckIntervalMs => GetLong("log.retention.check.interval.ms");

    /// <summary>log.flush.interval.ms, else log.flush.scheduler.interval.ms (Long.MaxValue: never by time).</summary>
    public long LogFlushIntervalMs { get; private set; }

    /// <summary>How often the flusher looks for due logs: log.flush.scheduler.interval.ms, capped at 1 s so flush.ms is honoured.</summary>
    public long LogFlushSchedulerIntervalMs => Math.Min(GetLong("log.flush.scheduler.interval.ms"), 1000);

    public long LogFlushOffsetCheckpointIntervalMs => GetLong("log.flush.offset.checkpoint.interval.ms");

    public bool LogCleanerEnable => GetBool("log.cleaner.enable");

    public int LogCleanerThreads => GetInt("log.cleaner.threads");

    public long LogCleanerBackoffMs => GetLong("log.cleaner.backoff.ms");

    public long LogCleanerDedupeBufferSize => GetLong("log.cleaner.dedupe.buffer.size");

    public int MinInsyncReplicas => GetInt("min.insync.replicas");

    public int OffsetsTopicNumPartitions => GetInt("offsets.topic.num.partitions");

    public int OffsetsTopicSegmentBytes => GetInt("offsets.topic.segment.bytes");

    public long OffsetsRetentionMs => GetInt("offsets.retention.minutes") * MsPerMinute;

    public long OffsetsRetentionCheckIntervalMs => GetLong("offsets.retention.check.interval.ms");

    public int OffsetMetadataMaxBytes => GetInt("offset.metadata.max.bytes");

    public int GroupInitialRebalanceDelayMs => GetInt("group.initial.rebalance.delay.ms");

    public int GroupMinSessionTimeoutMs => GetInt("group.min.session.timeout.ms");

    public int GroupMaxSessionTimeoutMs => GetInt("group.max.session.timeout.ms");

    public int GroupMaxSize => GetInt("group.max.size");

    public int GroupConsumerSessionTimeoutMs => GetInt("group.consumer.session.timeout.ms");

    public int GroupConsumerHeartbeatIntervalMs => GetInt("group.consumer.heartbeat.interval.ms");

    public int GroupConsumerMaxSize => GetInt("group.consumer.max.size");

    /// <summary>group.consumer.assignors, empty names left out.</summary>
    public IReadOnlyList<string> GroupConsumerAssignors => GetList("group.consumer.assignors").Where(a => a.Length > 0).ToArray();

    /// <summary>rill.metadata.etcd.endpoints: empty for the single-node broker (metadata on local disk).</summary>
    public string? MetadataEtcdEndpoints => GetString("rill.metadata.etcd.endpoints") is { Length: > 0 } e ? e : null;

    public string MetadataEtcdPrefix => GetString("rill.metadata.etcd.prefix")!;

    public int BrokerSessionTimeoutMs => GetInt("broker.session.timeout.ms");

    public string? BrokerRack => GetString("broker.rack");

    private void ResolveDerived()
    {
        NodeId = ResolveNodeId();
        ResolveListeners();
        LogDirs = ResolveLogDirs();

        long? retentionMs = (long?)GetValue("log.retention.ms");
        int? retentionMinutes = (int?)GetValue("log.retention.minutes");
        long retention = retentionMs ?? (retentionMinutes is int m ? m * MsPerMinute : GetInt("log.retention.hours") * MsPerHour);
        LogRetentionMs = retention < 0 ? -1 : retention;
        if (LogRetentionMs == 0)
        {
            string source = retentionMs is not null ? "log.retention.ms" : retentionMinutes is not null ? "log.retention.minutes" : "log.retention.hours";
            throw new ConfigException(source, $"{source} must be unlimited (-1) or at least 1 ms");
        }

        long? rollMs = (long?)GetValue("log.roll.ms");
        LogRollMs = rollMs ?? GetInt("log.roll.hours") * MsPerHour;
        if (LogRollMs < 1)
        {
            throw ConfigException.InvalidValue("log.roll.ms", rollMs?.ToString(System.Globalization.CultureInfo.InvariantCulture), "a 64-bit integer in [1,...]");
        }

        long? jitterMs = (long?)GetValue("log.roll.jitter.ms");
        LogRollJitterMs = jitterMs ?? GetInt("log.roll.jitter.hours") * MsPerHour;

        long? flushMs = (long?)GetValue("log.flush.interval.ms");
        LogFlushIntervalMs = flushMs ?? GetLong("log.flush.scheduler.interval.ms");
    }

    private int ResolveNodeId()
    {
        int? nodeId = IsSet("node.id") ? GetInt("node.id") : null;
        int brokerId = GetInt("broker.id");
        if (nodeId is int n && IsSet("broker.id") && brokerId != n)
        {
            throw new ConfigException("broker.id", $"broker.id ({brokerId}) and node.id ({n}) must be equal when both are set");
        }

        if (nodeId is int id)
        {
            return id;
        }

        if (IsSet("broker.id"))
        {
            return brokerId >= 0 ? brokerId : throw ConfigException.InvalidValue("broker.id", _explicit["broker.id"], "a 32-bit integer in [0,...]");
        }

        return GetInt("node.id");
    }

    private void ResolveListeners()
    {
        Dictionary<string, string> map = ListenerParser.ParseProtocolMap(GetString("listener.security.protocol.map")!);
        var controllerNames = new HashSet<string>(
            ConfigValidator.SplitList(GetString("controller.listener.names") ?? "").Select(n => n.ToUpperInvariant()),
            StringComparer.Ordinal);
        foreach (string name in controllerNames)
        {
            map.TryAdd(name, "PLAINTEXT"); // KRaft assumes PLAINTEXT for controller listeners without a mapping
        }

        List<ListenerAddress> all = ListenerParser.Parse("listeners", GetString("listeners")!, map);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ListenerAddress l in all)
        {
            if (!names.Add(l.Name))
            {
                throw new ConfigException("listeners", $"Listener name '{l.Name}' appears twice in listeners");
            }
        }

        List<ListenerAddress> served = all.Where(l => !controllerNames.Contains(l.Name)).ToList();
        if (served.Count == 0)
        {
            throw new ConfigException("listeners", "listeners must name at least one non-controller listener, e.g. PLAINTEXT://127.0.0.1:9092");
        }

        foreach (ListenerAddress l in served)
        {
            Security.SecurityProtocols.Parse(l.SecurityProtocol); // settings per listener are read by BrokerSecurity
        }

        Listeners = served;
        if (GetString("advertised.listeners") is string adv && adv.Trim().Length > 0)
        {
            List<ListenerAddress> advertised = ListenerParser.Parse("advertised.listeners", adv, map);
            foreach (ListenerAddress a in advertised)
            {
                if (!names.Contains(a.Name))
                {
                    throw new ConfigException("advertised.listeners", $"Advertised listener '{a.Name}' is not one of the listeners ({string.Join(", ", names)})");
                }

                if (a.Host is "0.0.0.0" or "::")
                {
                    throw new ConfigException("advertised.listeners", $"advertised.listeners cannot use the meta-address {a.Host}");
                }
            }

            AdvertisedListeners = advertised.Where(a => !controllerNames.Contains(a.Name)).ToList();
        }
        else
        {
            AdvertisedListeners = [];
        }
    }

    private List<string> ResolveLogDirs()
    {
        string property = GetString("log.dirs") is not null ? "log.dirs" : "log.dir";
        List<string> dirs = ConfigValidator.SplitList(GetString(property) ?? "").Where(d => d.Length > 0).Select(Path.GetFullPath).ToList();
        if (dirs.Count == 0)
        {
            throw ConfigException.InvalidValue(property, GetString(property), "one directory");
        }

        return dirs.Count == 1 ? dirs : throw new ConfigException(property, $"{property}: this Rill version keeps data in one directory; name exactly one");
    }
}
