using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rill.Coordination.Groups;

/// <summary>Writes the fields of the KIP-848 __consumer_offsets records (ConsumerGroupRecords).</summary>
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

    // Flexible (compact) encodings, for the KIP-848 records ----------------------------------------

    public RecordFieldWriter UnsignedVarint(uint value)
    {
        while (value >= 0x80)
        {
            _buffer.GetSpan(1)[0] = (byte)(value | 0x80);
            _buffer.Advance(1);
            value >>= 7;
        }
        _buffer.GetSpan(1)[0] = (byte)value;
        _buffer.Advance(1);
        return this;
    }

    public RecordFieldWriter CompactString(string? value)
    {
        if (value is null)
        {
            return UnsignedVarint(0);
        }
        int length = Encoding.UTF8.GetByteCount(value);
        UnsignedVarint((uint)length + 1);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public RecordFieldWriter CompactArrayLength(int count) => UnsignedVarint((uint)count + 1);

    public RecordFieldWriter Int8(sbyte value)
    {
        _buffer.GetSpan(1)[0] = (byte)value;
        _buffer.Advance(1);
        return this;
    }

    public RecordFieldWriter Uuid(Guid value)
    {
        value.TryWriteBytes(_buffer.GetSpan(16), bigEndian: true, out _);
        _buffer.Advance(16);
        return this;
    }

    /// <summary>An empty tagged-field section.</summary>
    public RecordFieldWriter NoTaggedFields() => UnsignedVarint(0);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
