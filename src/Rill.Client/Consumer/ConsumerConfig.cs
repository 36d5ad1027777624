namespace Rill.Client;

/// <summary>auto.offset.reset</summary>
public enum AutoOffsetReset
{
    /// <summary>Start at the end of the partition (only records produced from now on).</summary>
    Latest,
    /// <summary>Start at the first record still in the partition.</summary>
    Earliest,
    /// <summary>Fail with a <see cref="KafkaException"/> (auto.offset.reset=none).</summary>
    Error,
}

/// <summary>isolation.level (wire values).</summary>
public enum IsolationLevel : sbyte
{
    /// <summary>Read every record up to the high watermark.</summary>
    ReadUncommitted = 0,
    /// <summary>Read only up to the last stable offset, skipping aborted transactional records.</summary>
    ReadCommitted = 1,
}

/// <summary>Consumer settings, with Kafka's names and defaults.</summary>
public sealed class ConsumerConfig : ClientConfig
{
    /// <summary>group.id: null for a consumer that only assigns partitions itself.</summary>
    public string? GroupId { get; set; }

    /// <summary>group.instance.id (static membership).</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>auto.offset.reset: where to start when there is no committed offset or it is out of range (default latest).</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>enable.auto.commit: commit consumed positions in the background (default true).</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>auto.commit.interval.ms: how often auto-commit commits (default 5000).</summary>
    public int AutoCommitIntervalMs { get; set; } = 5000;

    /// <summary>session.timeout.ms: without a heartbeat this long the member is removed from the group (default 45000).</summary>
    public int SessionTimeoutMs { get; set; } = 45_000;

    /// <summary>heartbeat.interval.ms: how often the member heartbeats (default 3000).</summary>
    public int HeartbeatIntervalMs { get; set; } = 3000;

    /// <summary>max.poll.interval.ms: the longest the application may go between reads before it leaves the group (default 300000).</summary>
    public int MaxPollIntervalMs { get; set; } = 300_000;

    /// <summary>fetch.min.bytes: the broker holds a fetch until this many bytes are available or fetch.max.wait.ms passes (default 1).</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>fetch.max.bytes: the most data one fetch response carries (default 52428800).</summary>
    public int FetchMaxBytes { get; set; } = 52_428_800;

    /// <summary>max.partition.fetch.bytes: the most data per partition in a fetch response (default 1048576).</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1_048_576;

    /// <summary>fetch.max.wait.ms: the longest the broker holds a fetch for fetch.min.bytes (default 500).</summary>
    public int FetchMaxWaitMs { get; set; } = 500;

    /// <summary>isolation.level: read_uncommitted (default) or read_committed.</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadUncommitted;

    /// <summary>group.protocol: "classic" (JoinGroup/SyncGroup, the default) or "consumer" (KIP-848, ConsumerGroupHeartbeat).</summary>
    public string GroupProtocol { get; set; } = "classic";

    /// <summary>group.remote.assignor: the server-side assignor for group.protocol=consumer (null: the broker's default).</summary>
    public string? GroupRemoteAssignor { get; set; }

    /// <summary>partition.assignment.strategy: "range" or "cooperative-sticky" (first is preferred).</summary>
    public string PartitionAssignmentStrategy { get; set; } = "range,cooperative-sticky";

    /// <summary>Parses Kafka's auto.offset.reset values: latest, earliest, none.</summary>
    public static AutoOffsetReset ParseReset(string value) => value.ToLowerInvariant() switch
    {
        "latest" => AutoOffsetReset.Latest,
        "earliest" => AutoOffsetReset.Earliest,
        "none" or "error" => AutoOffsetReset.Error,
        _ => throw new ArgumentException($"auto.offset.reset must be earliest, latest or none, not '{value}'."),
    };
}
