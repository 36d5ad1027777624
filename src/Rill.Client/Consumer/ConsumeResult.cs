using System.Text;
using Rill.Protocol.Records;

namespace Rill.Client;

/// <summary>
/// One consumed record. A struct, so consuming allocates nothing per record beyond what the
/// deserializers make; headers stay as raw bytes until <see cref="GetHeaders"/> is called.
/// </summary>
public readonly struct ConsumeResult<TKey, TValue>
{
    private readonly ReadOnlyMemory<byte> _headers;
    private readonly int _headerCount;

    internal ConsumeResult(string topic, int partition, long offset, long timestamp, TKey key, TValue value, ReadOnlyMemory<byte> headers, int headerCount)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        _headers = headers;
        _headerCount = headerCount;
    }

    /// <summary>The topic the record was read from.</summary>
    public string Topic { get; }
    /// <summary>The partition the record was read from.</summary>
    public int Partition { get; }
    /// <summary>The record's offset in its partition.</summary>
    public long Offset { get; }
    /// <summary>The record's timestamp (milliseconds since the Unix epoch): create time, or log-append time if the topic uses it.</summary>
    public long Timestamp { get; }
    /// <summary>The deserialized key.</summary>
    public TKey Key { get; }
    /// <summary>The deserialized value.</summary>
    public TValue Value { get; }
    /// <summary>How many headers the record has (without parsing them).</summary>
    public int HeaderCount => _headerCount;
    /// <summary>Topic, partition and offset together (for commits, seek).</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    /// <summary>Parses the record's headers (allocates).</summary>
    public Headers GetHeaders()
    {
        var headers = new Headers();
        ReadOnlySpan<byte> span = _headers.Span;
        int p = 0;
        for (int i = 0; i < _headerCount; i++)
        {
            Varint.TryReadVarInt(span, ref p, out int nameLength);
            string name = Encoding.UTF8.GetString(span.Slice(p, nameLength));
            p += nameLength;
            Varint.TryReadVarInt(span, ref p, out int valueLength);
            byte[]? value = valueLength < 0 ? null : span.Slice(p, valueLength).ToArray();
            p += Math.Max(0, valueLength);
            headers.Add(new Header(name, value));
        }
        return headers;
    }
}
