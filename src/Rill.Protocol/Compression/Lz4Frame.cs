using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Rill.Protocol.Compression;

/// <summary>
/// The LZ4 frame format (what Kafka's lz4 codec means since message format v1), managed: no
/// native liblz4 needed. Writes the frame itself around K4os's block compressor (independent
/// 64 KB blocks, no checksums, no content size, which every Kafka client reads; K4os's own frame
/// writer costs about 4 µs more per small batch). Reads frames of independent blocks without
/// checksums block by block with K4os's block decoder, and any other standard frame with
/// K4os.Compression.LZ4.Streams.
/// </summary>
internal static class Lz4Frame
{
    private const int BlockSize = 64 * 1024;

    /// <summary>Magic 0x184D2204, FLG 0x60 (version 01, independent blocks), BD 0x40 (64 KB blocks), header checksum 0x82.</summary>
    private static ReadOnlySpan<byte> Header => [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82];

    private static ReadOnlySpan<byte> EndMark => [0, 0, 0, 0];

    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        output.Write(Header);
        while (!input.IsEmpty)
        {
            ReadOnlySpan<byte> block = input[..Math.Min(BlockSize, input.Length)];
            input = input[block.Length..];
            Span<byte> destination = output.GetSpan(4 + LZ4Codec.MaximumOutputSize(block.Length));
            int length = LZ4Codec.Encode(block, destination[4..], LZ4Level.L00_FAST);
            if (length <= 0 || length >= block.Length)
            {
                // Incompressible: the block is stored as it is, flagged by the size's high bit.
                block.CopyTo(destination[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(destination, 0x8000_0000u | (uint)block.Length);
                output.Advance(4 + block.Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)length);
                output.Advance(4 + length);
            }
        }
        output.Write(EndMark);
    }

    public static void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (TryDecompressIndependentBlocks(input, output, maxOutput))
        {
            return;
        }
        var limited = new LimitedWriter(output, maxOutput, "lz4");
        try
        {
            LZ4Frame.Decode(input, limited);
        }
        catch (Exception e) when (e is not CompressionException and not OutOfMemoryException)
        {
            throw new CompressionException("Corrupt lz4 data: " + e.Message);
        }
    }

    /// <summary>
    /// The fast path for the frames Kafka producers write (Rill, the Java client, librdkafka):
    /// independent blocks without block or content checksums, decoded block by block straight into
    /// the output (K4os's frame reader costs 2-3 times native liblz4). False, having written
    /// nothing, for any other frame (linked blocks, checksums, a dictionary), which the general
    /// reader then takes.
    /// </summary>
    private static bool TryDecompressIndependentBlocks(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutput)
    {
        if (input.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(input) != 0x184D2204)
        {
            return false;
        }
        byte flags = input[4];
        // Version 01, independent blocks; no block checksum, content checksum or dictionary id.
        if ((flags & 0b1111_0111) != 0b0110_0000)
        {
            return false;
        }
        int blockMaxSize = ((input[5] >> 4) & 0x7) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            _ => 0,
        };
        int descriptorEnd = 6 + ((flags & 0b1000) != 0 ? 8 : 0);   // optional content size
        if (blockMaxSize == 0 || (input[5] & 0x8F) != 0 || input.Length <= descriptorEnd)
        {
            return false;
        }
        if (input[descriptorEnd] != (byte)(K4os.Hash.xxHash.XXH32.DigestOf(input[4..descriptorEnd]) >> 8))
        {
            throw new CompressionException("Corrupt lz4 data: bad frame header checksum.");
        }
        int position = descriptorEnd + 1;
        long total = 0;
        while (true)
        {
            if (input.Length - position < 4)
            {
                throw new CompressionException("Truncated lz4 frame.");
            }
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(input[position..]);
            position += 4;
            if (size == 0)
            {
                return true;   // end mark (anything after it is ignored, as liblz4 did)
            }
            bool stored = (size & 0x8000_0000u) != 0;
            int length = (int)(size & 0x7FFF_FFFFu);
            if (length > blockMaxSize || length > input.Length - position)
            {
                throw new CompressionException($"Corrupt lz4 data: a block of {length} bytes runs past the frame or its maximum size.");
            }
            ReadOnlySpan<byte> block = input.Slice(position, length);
            position += length;
            int produced;
            if (stored)
            {
                produced = length;
                if (total + produced > maxOutput)
                {
                    throw new CompressionException($"lz4 data decompresses to more than {maxOutput} bytes.");
                }
                output.Write(block);
            }
            else
            {
                int room = (int)Math.Min(blockMaxSize, maxOutput - total);
                Span<byte> destination = output.GetSpan(Math.Max(room, 1))[..Math.Max(room, 0)];
                produced = LZ4Codec.Decode(block, destination);
                if (produced < 0)
                {
                    // Either corrupt, or it does not fit the room left under the limit.
                    throw new CompressionException(room < blockMaxSize
                        ? $"Corrupt lz4 data, or it decompresses to more than {maxOutput} bytes."
                        : "Corrupt lz4 data.");
                }
                output.Advance(produced);
            }
            total += produced;
        }
    }
}
