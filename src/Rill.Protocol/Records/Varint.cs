using System.Runtime.CompilerServices;

namespace Rill.Protocol.Records;

/// <summary>Zig-zag varints as records use them, read without exceptions.</summary>
/// <remarks>
/// The one- and two-byte forms (values -8192..8191: attributes, most timestamp and offset deltas, lengths of small
/// keys and values, header counts) are read inline; longer ones take the general loop. The record walk of every
/// produced batch reads six of them per record.
/// </remarks>
public static class Varint
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarInt(ReadOnlySpan<byte> data, ref int position, out int value)
    {
        int p = position;
        if ((uint)p < (uint)data.Length)
        {
            uint b0 = data[p];
            if (b0 < 0x80)
            {
                position = p + 1;
                value = (int)(b0 >> 1) ^ -(int)(b0 & 1);
                return true;
            }
            if ((uint)(p + 1) < (uint)data.Length && data[p + 1] < 0x80)
            {
                uint raw = (b0 & 0x7F) | ((uint)data[p + 1] << 7);
                position = p + 2;
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }
        }
        return TryReadVarIntLong(data, ref position, out value);
    }

    private static bool TryReadVarIntLong(ReadOnlySpan<byte> data, ref int position, out int value)
    {
        bool ok = TryReadVarLongLoop(data, ref position, out long wide);
        value = (int)wide;
        return ok && wide is >= int.MinValue and <= int.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarLong(ReadOnlySpan<byte> data, ref int position, out long value)
    {
        int p = position;
        if ((uint)p < (uint)data.Length)
        {
            uint b0 = data[p];
            if (b0 < 0x80)
            {
                position = p + 1;
                value = (long)(b0 >> 1) ^ -(long)(b0 & 1);
                return true;
            }
            if ((uint)(p + 1) < (uint)data.Length && data[p + 1] < 0x80)
            {
                uint raw = (b0 & 0x7F) | ((uint)data[p + 1] << 7);
                position = p + 2;
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        return TryReadVarLongLoop(data, ref position, out value);
    }

    private static bool TryReadVarLongLoop(ReadOnlySpan<byte> data, ref int position, out long value)
    {
        ulong raw = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                value = 0;
                return false;
            }
            byte b = data[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }

    public static int SizeOf(long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int size = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            size++;
        }
        return size;
    }

    public static int Write(Span<byte> destination, long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int i = 0;
        while (v >= 0x80)
        {
            destination[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        destination[i++] = (byte)v;
        return i;
    }
}
