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

    public string Topic { get; }
    public int Partition { get; }
    public long Offset { get; }
    public long Timestamp { get; }
    public TKey Key { get; }
    public TValue Value { get; }
    public int HeaderCount => _headerCount;
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
