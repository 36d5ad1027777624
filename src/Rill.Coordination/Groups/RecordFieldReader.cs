using System.Buffers.Binary;
using System.Text;

namespace Rill.Coordination.Groups;

/// <summary>
/// Reads the fields of the KIP-848 __consumer_offsets records (ConsumerGroupRecords). Every
/// read checks the remaining length and reports a short or malformed field as false, never throws.
/// </summary>
internal ref struct RecordFieldReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public bool TryReadInt16(out short value)
    {
        value = 0;
        if (Remaining < 2)
        {
            return false;
        }
        value = BinaryPrimitives.ReadInt16BigEndian(_data[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadInt32(out int value)
    {
        value = 0;
        if (Remaining < 4)
        {
            return false;
        }
        value = BinaryPrimitives.ReadInt32BigEndian(_data[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadString(out string value)
    {
        bool ok = TryReadNullableString(out string? s);
        value = s ?? "";
        return ok && s is not null;
    }

    public bool TryReadNullableString(out string? value)
    {
        value = null;
        if (!TryReadInt16(out short length))
        {
            return false;
        }
        if (length == -1)
        {
            return true;
        }
        if (length < 0 || length > Remaining)
        {
            return false;
        }
        value = Encoding.UTF8.GetString(_data.Slice(_position, length));
        _position += length;
        return true;
    }

    // Flexible (compact) encodings, for the KIP-848 records ----------------------------------------

    public bool TryReadUnsignedVarint(out uint value)
    {
        value = 0;
        for (int shift = 0; shift <= 28; shift += 7)
        {
            if (Remaining < 1)
            {
                return false;
            }
            byte b = _data[_position++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }

    public bool TryReadInt8(out sbyte value)
    {
        value = 0;
        if (Remaining < 1)
        {
            return false;
        }
        value = (sbyte)_data[_position++];
        return true;
    }

    public bool TryReadCompactString(out string? value)
    {
        value = null;
        if (!TryReadUnsignedVarint(out uint length))
        {
            return false;
        }
        if (length == 0)
        {
            return true;
        }
        if (length - 1 > (uint)Remaining)
        {
            return false;
        }
        value = Encoding.UTF8.GetString(_data.Slice(_position, (int)length - 1));
        _position += (int)length - 1;
        return true;
    }

    /// <summary>A compact array's element count; false for a null or malformed array.</summary>
    public bool TryReadCompactArrayLength(out int count)
    {
        count = 0;
        if (!TryReadUnsignedVarint(out uint length) || length == 0 || length - 1 > (uint)Remaining)
        {
            return false;
        }
        count = (int)length - 1;
        return true;
    }

    public bool TryReadUuid(out Guid value)
    {
        value = Guid.Empty;
        if (Remaining < 16)
        {
            return false;
        }
        value = new Guid(_data.Slice(_position, 16), bigEndian: true);
        _position += 16;
        return true;
    }

    /// <summary>Skips a tagged-field section (fields this reader does not know).</summary>
    public bool TrySkipTaggedFields()
    {
        if (!TryReadUnsignedVarint(out uint count))
        {
            return false;
        }
        for (uint i = 0; i < count; i++)
        {
            if (!TryReadUnsignedVarint(out _) || !TryReadUnsignedVarint(out uint size) || size > (uint)Remaining)
            {
                return false;
            }
            _position += (int)size;
        }
        return true;
    }
}
