using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rill.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), as record batches use it: the CPU's CRC32C instruction (SSE 4.2 / ARMv8 CRC through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>; a table fallback elsewhere), with carry-less multiplies
/// (PCLMULQDQ) folding inputs of 128 bytes and more on x64.
/// </summary>
/// <remarks>
/// One CRC32C instruction depends on the previous one's result, so a single chain runs at the instruction's
/// latency (3 cycles per 8 bytes on x64). On x64, <see cref="Fold"/> carries four 16-byte lanes through the input
/// with carry-less multiplies instead: 9.4-9.8 GB/s against 5.2-6.1 GB/s for three interleaved CRC32C chains on the
/// AMD EPYC this project is measured on, whose CRC32C instruction issues once per 3 cycles however many chains run
/// (docs/benchmarks.md, issue 16). Elsewhere long inputs are cut into three equal blocks whose CRCs run as three
/// independent chains in the same loop, then joined: the CRC of A followed by B is the CRC of A advanced over |B|
/// zero bytes, xor the CRC of B started from zero. Advancing a CRC over a fixed number of zero bytes is linear in its
/// 32 bits, so it is four lookups in a table made once per block size. The produce path checks every batch's CRC,
/// so with 1 KB records it is a per-byte cost.
/// </remarks>
public static class Crc32C
{
    private const int LongBlock = 8192;
    private const int ShortBlock = 256;
    private static readonly uint[] LongShift = ZeroShiftTable(LongBlock);
    private static readonly uint[] ShortShift = ZeroShiftTable(ShortBlock);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data, Pclmulqdq.IsSupported);

    /// <summary><see cref="Compute"/> without carry-less multiplies, as on CPUs without them (for tests).</summary>
    internal static uint ComputeWithoutFolding(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data, fold: false);

    /// <summary>Advances the raw CRC register (no pre- or post-inversion) over <paramref name="data"/>.</summary>
    private static uint Update(uint crc, ReadOnlySpan<byte> data, bool fold)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        if (fold && length >= FoldMinimum)
        {
            i = length & ~63;
            crc = Fold(crc, ref p, i);
        }
        while (length - i >= 3 * LongBlock)
        {
            crc = ThreeBlocks(crc, ref Unsafe.Add(ref p, i), LongBlock, LongShift);
            i += 3 * LongBlock;
        }
        while (length - i >= 3 * ShortBlock)
        {
            crc = ThreeBlocks(crc, ref Unsafe.Add(ref p, i), ShortBlock, ShortShift);
            i += 3 * ShortBlock;
        }
        while (length - i >= 8)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            i += 8;
        }
        while (i < length)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
            i++;
        }
        return crc;
    }

    /// <summary>Inputs from this length on are folded with carry-less multiplies (<see cref="Fold"/>).</summary>
    private const int FoldMinimum = 128;

    // Folding constants, x^n mod P as reflected 32-bit registers (bit j is the coefficient of x^(31-j)). A 128-bit lane
    // holds 16 message bytes; its low 64 bits are the earlier bytes, so the higher-degree half. Moving a lane D bits
    // further along the message multiplies its low half by x^(D+31) and its high half by x^(D-33) mod P: the +31 and
    // -33 (rather than +64 and 0) absorb the reflected operands' 32-bit placement and the one-bit offset of a
    // reflected carry-less product.
    private static readonly Vector128<ulong> Fold512 = Vector128.Create(XPowModP(512 + 31), XPowModP(512 - 33));
    private static readonly Vector128<ulong> Fold128 = Vector128.Create(XPowModP(128 + 31), XPowModP(128 - 33));

    /// <summary>
    /// The register after <paramref name="length"/> bytes (a multiple of 64, at least 128) at <paramref name="p"/>,
    /// by folding: four 16-byte lanes, each carried 64 bytes forward per step with two carry-less multiplies (no
    /// dependency between lanes), then folded into one lane whose 16 bytes the CRC32C instruction finishes. The CRC
    /// instruction is one chain limited by its throughput (on this project's AMD EPYC test machine, 8 bytes per 3
    /// cycles whatever the interleaving); the multiplier runs beside it.
    /// </summary>
    private static uint Fold(uint crc, ref byte p, int length)
    {
        // The register joins the message as an xor into its first four bytes (the CRC is linear).
        Vector128<ulong> x0 = Vector128.LoadUnsafe(ref p).AsUInt64() ^ Vector128.CreateScalar((ulong)crc);
        Vector128<ulong> x1 = Vector128.LoadUnsafe(ref p, 16).AsUInt64();
        Vector128<ulong> x2 = Vector128.LoadUnsafe(ref p, 32).AsUInt64();
        Vector128<ulong> x3 = Vector128.LoadUnsafe(ref p, 48).AsUInt64();
        Vector128<ulong> k = Fold512;
        for (nuint i = 64; i < (nuint)length; i += 64)
        {
            x0 = FoldLane(x0, k, Vector128.LoadUnsafe(ref p, i).AsUInt64());
            x1 = FoldLane(x1, k, Vector128.LoadUnsafe(ref p, i + 16).AsUInt64());
            x2 = FoldLane(x2, k, Vector128.LoadUnsafe(ref p, i + 32).AsUInt64());
            x3 = FoldLane(x3, k, Vector128.LoadUnsafe(ref p, i + 48).AsUInt64());
        }
        k = Fold128;
        Vector128<ulong> x = FoldLane(FoldLane(FoldLane(x0, k, x1), k, x2), k, x3);
        return BitOperations.Crc32C(BitOperations.Crc32C(0u, x.GetElement(0)), x.GetElement(1));
    }

    /// <summary><paramref name="x"/> carried forward by the distance of <paramref name="k"/>, xor <paramref name="next"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldLane(Vector128<ulong> x, Vector128<ulong> k, Vector128<ulong> next)
        => Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11) ^ next;

    /// <summary>x^<paramref name="n"/> mod P as a reflected register, one multiplication by x at a time.</summary>
    private static ulong XPowModP(int n)
    {
        uint r = 1u << 31;
        for (int i = 0; i < n; i++)
        {
            r = (r & 1) != 0 ? (r >> 1) ^ 0x82F63B78u : r >> 1;
        }
        return r;
    }

    /// <summary>The register after 3 x <paramref name="block"/> bytes at <paramref name="p"/>, as three chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ThreeBlocks(uint crc0, ref byte p, int block, uint[] shift)
    {
        uint crc1 = 0, crc2 = 0;
        ref byte b1 = ref Unsafe.Add(ref p, block);
        ref byte b2 = ref Unsafe.Add(ref p, 2 * block);
        for (int i = 0; i < block; i += 8)
        {
            crc0 = BitOperations.Crc32C(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            crc1 = BitOperations.Crc32C(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b1, i)));
            crc2 = BitOperations.Crc32C(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b2, i)));
        }
        crc0 = Shift(shift, crc0) ^ crc1;
        return Shift(shift, crc0) ^ crc2;
    }

    /// <summary>The register <paramref name="crc"/> advanced over the table's number of zero bytes.</summary>
    private static uint Shift(uint[] table, uint crc)
        => table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>
    /// Entry [256 k + n]: the register n &lt;&lt; 8k advanced over <paramref name="zeros"/> zero bytes (a multiple of 8).
    /// Built from the 32 single-bit registers, since the map is linear.
    /// </summary>
    private static uint[] ZeroShiftTable(int zeros)
    {
        Span<uint> bit = stackalloc uint[32];
        for (int b = 0; b < 32; b++)
        {
            uint r = 1u << b;
            for (int i = 0; i < zeros; i += 8)
            {
                r = BitOperations.Crc32C(r, 0UL);
            }
            bit[b] = r;
        }
        var table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint v = 0;
                for (int b = 0; b < 8; b++)
                {
                    if ((n & (1 << b)) != 0) v ^= bit[8 * k + b];
                }
                table[256 * k + n] = v;
            }
        }
        return table;
    }
}
