using System.Buffers.Binary;
using System.Text;

namespace Rill.Protocol;

/// <summary>
/// Writes Kafka's wire types into a span sized beforehand with <see cref="ProtocolSizes"/>.
/// Writing past the end throws (a size computation bug, never input-driven).
/// </summary>
public ref struct ProtocolWriter
{
    private readonly Span<byte> _span;
    private int _position;

    public ProtocolWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Position => _position;

    private Span<byte> Take(int count)
    {
        Span<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void WriteBoolean(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;
    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteUuid(Guid value)
    {
        if (!value.TryWriteBytes(Take(16), bigEndian: true, out _))
        {
            throw new InvalidOperationException("UUID did not fit.");
        }
    }

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Take(1)[0] = (byte)value;
    }

    public void WriteUnsignedVarLong(ulong value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Take(1)[0] = (byte)value;
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));
    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Array length: int32 (-1 null) or compact (N+1, 0 null).</summary>
    public void WriteArrayLength(int length, bool compact)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else
        {
            WriteInt32(length);
        }
    }

    public void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            if (compact)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt16(-1);
            }
            return;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        if (compact)
        {
            WriteUnsignedVarInt((uint)length + 1);
        }
        else
        {
            if (length > short.MaxValue)
            {
                throw new InvalidOperationException($"String of {length} bytes does not fit an int16 length.");
            }
            WriteInt16((short)length);
        }
        Encoding.UTF8.GetBytes(value, Take(length));
    }

    public void WriteString(string value, bool compact) => WriteNullableString(value, compact);

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } bytes)
        {
            if (compact)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt32(-1);
            }
            return;
        }
        if (compact)
        {
            WriteUnsignedVarInt((uint)bytes.Length + 1);
        }
        else
        {
            WriteInt32(bytes.Length);
        }
        bytes.Span.CopyTo(Take(bytes.Length));
    }

    public void WriteBytes(ReadOnlyMemory<byte> value, bool compact) => WriteNullableBytes(value, compact);

    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact) => WriteNullableBytes(value, compact);

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));
}

/// <summary>Sizes of the wire types, matching <see cref="ProtocolWriter"/>.</summary>
public static class ProtocolSizes
{
    public static int UnsignedVarInt(uint value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int UnsignedVarLong(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int VarInt(int value) => UnsignedVarInt((uint)((value << 1) ^ (value >> 31)));
    public static int VarLong(long value) => UnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public static int ArrayLength(int length, bool compact) => compact ? UnsignedVarInt((uint)(length + 1)) : 4;

    public static int NullableString(string? value, bool compact)
    {
        if (value is null)
        {
            return compact ? 1 : 2;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        return (compact ? UnsignedVarInt((uint)length + 1) : 2) + length;
    }

    public static int NullableBytes(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } bytes)
        {
            return compact ? 1 : 4;
        }
        return (compact ? UnsignedVarInt((uint)bytes.Length + 1) : 4) + bytes.Length;
    }
}
