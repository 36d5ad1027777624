namespace Rill.Client;

/// <summary>auto.offset.reset</summary>
public enum AutoOffsetReset
{
    Latest,
    Earliest,
    Error,
}

/// <summary>isolation.level (wire values).</summary>
public enum IsolationLevel : sbyte
{
    ReadUncommitted = 0,
    ReadCommitted = 1,
}

/// <summary>Consumer settings, with Kafka's names and defaults.</summary>
public sealed class ConsumerConfig : ClientConfig
{
    /// <summary>group.id: null for a consumer that only assigns partitions itself.</summary>
    public string? GroupId { get; set; }

    /// <summary>group.instance.id (static membership).</summary>
    public string? GroupInstanceId { get; set; }

    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    public bool EnableAutoCommit { get; set; } = true;

    public int AutoCommitIntervalMs { get; set; } = 5000;

    public int SessionTimeoutMs { get; set; } = 45_000;

    public int HeartbeatIntervalMs { get; set; } = 3000;

    public int MaxPollIntervalMs { get; set; } = 300_000;

    public int FetchMinBytes { get; set; } = 1;

    public int FetchMaxBytes { get; set; } = 52_428_800;

    public int MaxPartitionFetchBytes { get; set; } = 1_048_576;

    public int FetchMaxWaitMs { get; set; } = 500;

    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadUncommitted;

    /// <summary>group.protocol: "classic" (JoinGroup/SyncGroup, the default) or "consumer" (KIP-848, ConsumerGroupHeartbeat).</summary>
    public string GroupProtocol { get; set; } = "classic";

    /// <summary>group.remote.assignor: the server-side assignor for group.protocol=consumer (null: the broker's default).</summary>
    public string? GroupRemoteAssignor { get; set; }

    /// <summary>partition.assignment.strategy: "range" or "cooperative-sticky" (first is preferred).</summary>
    public string PartitionAssignmentStrategy { get; set; } = "range,cooperative-sticky";

    public static AutoOffsetReset ParseReset(string value) => value.ToLowerInvariant() switch
    {
        "latest" => AutoOffsetReset.Latest,
        "earliest" => AutoOffsetReset.Earliest,
        "none" or "error" => AutoOffsetReset.Error,
        _ => throw new ArgumentException($"auto.offset.reset must be earliest, latest or none, not '{value}'."),
    };
}
