namespace Rill.Protocol.Records;

/// <summary>Zig-zag varints as records use them, read without exceptions.</summary>
public static class Varint
{
    public static bool TryReadVarInt(ReadOnlySpan<byte> data, ref int position, out int value)
    {
        bool ok = TryReadVarLong(data, ref position, out long wide);
        value = (int)wide;
        return ok && wide is >= int.MinValue and <= int.MaxValue;
    }

    public static bool TryReadVarLong(ReadOnlySpan<byte> data, ref int position, out long value)
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
