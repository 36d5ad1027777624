using Rill.Protocol;

namespace Rill.Client;

/// <summary>A record to produce. Timestamp null means "now"; Partition null means "let the partitioner choose".</summary>
public sealed class Message<TKey, TValue>
{
    /// <summary>The key (null for a keyless record when the key type allows it); keyed records go to the partition murmur2 of the key picks.</summary>
    public TKey Key { get; set; } = default!;
    /// <summary>The value (null makes a tombstone on a compacted topic).</summary>
    public TValue Value { get; set; } = default!;
    /// <summary>Record headers, or null for none.</summary>
    public Headers? Headers { get; set; }
    /// <summary>Create time in milliseconds since the Unix epoch; null for now.</summary>
    public long? Timestamp { get; set; }
    /// <summary>An explicit partition; null lets the partitioner choose.</summary>
    public int? Partition { get; set; }
}

/// <summary>One record header: a name and a nullable value.</summary>
public readonly record struct Header(string Key, byte[]? Value);

/// <summary>Record headers, in order; names may repeat.</summary>
public sealed class Headers : List<Header>
{
    /// <summary>Adds a header with a byte value (null allowed).</summary>
    public void Add(string key, byte[]? value) => Add(new Header(key, value));

    /// <summary>Adds a header with a UTF-8 string value (null allowed).</summary>
    public void Add(string key, string? value) => Add(new Header(key, value is null ? null : System.Text.Encoding.UTF8.GetBytes(value)));
}

/// <summary>
/// What happened to a produced record: where it landed (offset -1 with acks=0 or a duplicate) or
/// the error that failed it. The fire-and-forget path hands this to the delivery callback.
/// </summary>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, long Timestamp, KafkaException? Error)
{
    /// <summary>True when the record was written.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>The error that failed the record, or <see cref="ErrorCode.None"/>.</summary>
    public ErrorCode ErrorCode => Error?.ErrorCode ?? ErrorCode.None;

    /// <summary>Where the record landed.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
