using System.Buffers.Binary;
using System.Text;

namespace Rill.Coordination.Groups;

/// <summary>
/// Reads the classic (non-flexible) big-endian fields of __consumer_offsets keys and values. Every
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

    public bool TryReadInt64(out long value)
    {
        value = 0;
        if (Remaining < 8)
        {
            return false;
        }
        value = BinaryPrimitives.ReadInt64BigEndian(_data[_position..]);
        _position += 8;
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

    public bool TryReadBytes(out byte[] value)
    {
        value = [];
        if (!TryReadInt32(out int length))
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
        value = _data.Slice(_position, length).ToArray();
        _position += length;
        return true;
    }
}
