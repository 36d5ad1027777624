namespace Rill.Storage.Internal;

/// <summary>Zig-zag varints of the v2 record format, just enough to walk records for timestamp lookups.</summary>
internal static class RecordReader
{
    public static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out long value)
    {
        ulong raw = 0;
        int shift = 0;
        while (position < data.Length && shift < 64)
        {
            byte b = data[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
            shift += 7;
        }
        value = 0;
        return false;
    }
}
