using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rill.Coordination.Groups;

/// <summary>Writes the classic (non-flexible) big-endian fields of __consumer_offsets keys and values.</summary>
internal sealed class RecordFieldWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public RecordFieldWriter Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
        return this;
    }

    public RecordFieldWriter Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public RecordFieldWriter Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public RecordFieldWriter String(string? value)
    {
        if (value is null)
        {
            return Int16(-1);
        }
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > short.MaxValue)
        {
            throw new ArgumentException($"String of {length} bytes does not fit a Kafka string field", nameof(value));
        }
        Int16((short)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public RecordFieldWriter Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
