using System.Buffers.Binary;
using System.Numerics;

namespace Rill.Storage.Internal;

/// <summary>
/// CRC32C (Castagnoli) as used by record batch v2. Storage keeps its own copy so that it does not depend on
/// the codec; <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2 / ARMv8 instruction when present.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        for (int i = 0; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return ~crc;
    }
}
