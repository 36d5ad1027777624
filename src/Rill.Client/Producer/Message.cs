using Rill.Protocol;

namespace Rill.Client;

/// <summary>A record to produce. Timestamp null means "now"; Partition null means "let the partitioner choose".</summary>
public sealed class Message<TKey, TValue>
{
    public TKey Key { get; set; } = default!;
    public TValue Value { get; set; } = default!;
    public Headers? Headers { get; set; }
    public long? Timestamp { get; set; }
    public int? Partition { get; set; }
}

/// <summary>One record header: a name and a nullable value.</summary>
public readonly record struct Header(string Key, byte[]? Value);

/// <summary>Record headers, in order; names may repeat.</summary>
public sealed class Headers : List<Header>
{
    public void Add(string key, byte[]? value) => Add(new Header(key, value));

    public void Add(string key, string? value) => Add(new Header(key, value is null ? null : System.Text.Encoding.UTF8.GetBytes(value)));
}

/// <summary>
/// What happened to a produced record: where it landed (offset -1 with acks=0 or a duplicate) or
/// the error that failed it. The fire-and-forget path hands this to the delivery callback.
/// </summary>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, long Timestamp, KafkaException? Error)
{
    public bool IsSuccess => Error is null;

    public ErrorCode ErrorCode => Error?.ErrorCode ?? ErrorCode.None;

    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
