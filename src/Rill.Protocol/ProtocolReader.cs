using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Rill.Protocol;

/// <summary>
/// Reads Kafka's wire types from a buffer. Byte fields (bytes, records) come back as slices of the
/// buffer, so nothing is copied. Anything malformed throws <see cref="ProtocolException"/>; no read
/// ever goes past the end.
/// </summary>
public ref struct ProtocolReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public ProtocolReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _span.Length - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowPastEnd(count);
        }
        ReadOnlySpan<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    public bool ReadBoolean() => Take(1)[0] != 0;
    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>A Kafka UUID: 16 bytes, most significant first, mapped to a Guid that round-trips exactly.</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1)[0];
            if (shift == 28 && b > 0x0F)
            {
                throw new ProtocolException("Unsigned varint is longer than 32 bits.");
            }
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new ProtocolException("Unsigned varint is longer than 5 bytes.");
    }

    public ulong ReadUnsignedVarLong()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = Take(1)[0];
            if (shift == 63 && b > 0x01)
            {
                throw new ProtocolException("Unsigned varlong is longer than 64 bits.");
            }
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new ProtocolException("Unsigned varlong is longer than 10 bytes.");
    }

    public int ReadVarInt()
    {
        uint raw = ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarLong()
    {
        ulong raw = ReadUnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    // Lengths --------------------------------------------------------------------------------

    /// <summary>Compact length: unsigned varint N+1, 0 meaning null (-1).</summary>
    private int ReadCompactLength()
    {
        uint raw = ReadUnsignedVarInt();
        if (raw > int.MaxValue)
        {
            throw new ProtocolException($"Compact length {raw} is too large.");
        }
        return (int)raw - 1;
    }

    private readonly void CheckLength(int length, string what)
    {
        if (length > Remaining)
        {
            throw new ProtocolException($"{what} length {length} is past the end of the buffer ({Remaining} bytes left).");
        }
    }

    /// <summary>Array length as int32 (-1 null) or compact; checked against the bytes left (each element takes at least one byte).</summary>
    public int ReadArrayLength(bool compact)
    {
        int length = compact ? ReadCompactLength() : ReadInt32();
        if (length < -1)
        {
            throw new ProtocolException($"Array length {length} is negative.");
        }
        CheckLength(length, "Array");
        return length;
    }

    // Strings ----------------------------------------------------------------------------------

    public string? ReadNullableString(bool compact)
    {
        int length = compact ? ReadCompactLength() : ReadInt16();
        if (length < -1)
        {
            throw new ProtocolException($"String length {length} is negative.");
        }
        if (length == -1)
        {
            return null;
        }
        CheckLength(length, "String");
        ReadOnlySpan<byte> bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException("String is not valid UTF-8.");
        }
    }

    public string ReadString(bool compact)
        => ReadNullableString(compact) ?? throw new ProtocolException("Non-nullable string is null.");

    // Bytes -------------------------------------------------------------------------------------

    public ReadOnlyMemory<byte>? ReadNullableBytes(bool compact)
    {
        int length = compact ? ReadCompactLength() : ReadInt32();
        if (length < -1)
        {
            throw new ProtocolException($"Bytes length {length} is negative.");
        }
        if (length == -1)
        {
            return null;
        }
        CheckLength(length, "Bytes");
        ReadOnlyMemory<byte> slice = _memory.Slice(_position, length);
        _position += length;
        return slice;
    }

    public ReadOnlyMemory<byte> ReadBytes(bool compact)
        => ReadNullableBytes(compact) ?? throw new ProtocolException("Non-nullable bytes field is null.");

    /// <summary>A records field: nullable bytes (compact in flexible versions).</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact) => ReadNullableBytes(compact);

    /// <summary>Raw bytes of a known length (tagged field payloads).</summary>
    public ReadOnlyMemory<byte> ReadRaw(int length)
    {
        if (length < 0)
        {
            throw new ProtocolException($"Field length {length} is negative.");
        }
        CheckLength(length, "Field");
        ReadOnlyMemory<byte> slice = _memory.Slice(_position, length);
        _position += length;
        return slice;
    }

    /// <summary>Starts a nested reader over the next <paramref name="length"/> bytes and skips them here.</summary>
    public ProtocolReader Sub(int length) => new(ReadRaw(length));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowPastEnd(int count)
        => throw new ProtocolException($"Needed {count} bytes at position {_position} but only {Remaining} remain.");
}
