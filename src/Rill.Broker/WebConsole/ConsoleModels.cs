namespace Rill.Broker.WebConsole;

// The answers of the web console's JSON API (docs/dev/observability.md). Plain records: the HTTP
// layer (Rill.Server) serialises them as they are.

public sealed record ConsoleError(string Error, string? Message);

public sealed record ConsolePage<T>(int Total, int Offset, int Limit, IReadOnlyList<T> Items);

public sealed record ConsoleBroker(int Id, string Host, int Port, string? Rack, bool Controller);

public sealed record ClusterOverview(string ClusterId, string Version, int NodeId, IReadOnlyList<ConsoleBroker> Brokers,
    DateTimeOffset StartedAt, double UptimeSeconds, int Topics, int Partitions, int Groups, long SizeBytes, long Connections);

public sealed record LivePoint(long Time, double BytesInPerSec, double BytesOutPerSec, double MessagesInPerSec,
    double RequestsPerSec, double LatencyP50Ms, double LatencyP99Ms, long Connections);

public sealed record TopicSummary(string Name, bool Internal, int Partitions, long SizeBytes, long Messages,
    double BytesInPerSec, double MessagesInPerSec);

public sealed record PartitionInfo(int Partition, int Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr,
    long LogStartOffset, long HighWatermark, long SizeBytes, int Segments);

public sealed record TopicGroupLag(string GroupId, long LagRecords);

public sealed record TopicDetail(string Name, Guid Id, bool Internal, IReadOnlyList<PartitionInfo> Partitions,
    IReadOnlyList<TopicGroupLag> Groups, double BytesInPerSec, double MessagesInPerSec);

public sealed record ConfigEntry(string Name, string? Value, string Source, bool ReadOnly, bool Sensitive, string Type, string Documentation);

public sealed record CreateTopicRequest(string Name, int? Partitions, short? ReplicationFactor, Dictionary<string, string>? Configs);

public sealed record ConfigChangeRequest(Dictionary<string, string>? Set, List<string>? Delete);

public sealed record MessageHeader(string Key, string? Value, bool Base64);

public sealed record ConsoleMessage(int Partition, long Offset, long Timestamp, string TimestampType, string? Key, bool KeyBase64,
    string? Value, bool ValueBase64, bool ValueTruncated, int ValueBytes, IReadOnlyList<MessageHeader> Headers);

public sealed record MessageQuery(int Partition, string From, long? Offset, long? Timestamp, int Limit);

public sealed record SearchQuery(int Partition, long? FromOffset, string? Key, string? Value, int Limit, long BudgetBytes, int BudgetMs);

/// <summary>One bounded pass of a search: the matches found, how far it got and whether the range is exhausted.</summary>
public sealed record SearchResult(IReadOnlyList<ConsoleMessage> Matches, long ScannedBytes, long ScannedRecords, double ElapsedMs,
    IReadOnlyList<SearchPosition> Positions, bool Done);

/// <summary>Per partition: where the next pass starts and where the range ends (the high watermark when the search began).</summary>
public sealed record SearchPosition(int Partition, long Start, long Next, long End);

public sealed record ProduceMessageRequest(int? Partition, string? Key, string? Value, Dictionary<string, string>? Headers);

public sealed record ProduceMessageResult(int Partition, long Offset);

public sealed record GroupSummary(string GroupId, string Type, string State, string ProtocolType, int Members,
    long LagRecords, double? LagSeconds);

public sealed record AssignedPartitions(string Topic, IReadOnlyList<int> Partitions);

public sealed record GroupMemberInfo(string MemberId, string? InstanceId, string ClientId, string ClientHost, IReadOnlyList<AssignedPartitions> Assignment);

public sealed record GroupPartitionLag(string Topic, int Partition, long CommittedOffset, long LogEndOffset, long LagRecords,
    double LagSeconds, long CommitTimestamp, string? MemberId);

public sealed record GroupDetail(string GroupId, string Type, string State, string ProtocolType, string Protocol,
    IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionLag> Offsets, long LagRecords, double LagSeconds, bool CanReset);

public sealed record LagPoint(long Time, long LagRecords, double LagSeconds);

/// <summary>to: earliest, latest, timestamp (ms), offset; Topic null: every topic the group has committed offsets for.</summary>
public sealed record ResetOffsetsRequest(string? Topic, string To, long? Timestamp, long? Offset, bool DryRun);

public sealed record OffsetChange(string Topic, int Partition, long Current, long New);

public sealed record ResetOffsetsResult(bool Applied, IReadOnlyList<OffsetChange> Changes);

/// <summary>Thrown for a request the console refuses; the HTTP layer answers 400/404/409 with the Kafka error name.</summary>
public sealed class ConsoleException(int status, string error, string? message) : Exception(message ?? error)
{
    public int Status { get; } = status;
    public string Error { get; } = error;

    public static ConsoleException NotFound(string what) => new(404, "NOT_FOUND", what);
    public static ConsoleException Bad(string message) => new(400, "INVALID_REQUEST", message);
}
