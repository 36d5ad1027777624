using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Rill.Protocol.Compression;

/// <summary>
/// The LZ4 frame format (what Kafka's lz4 codec means since message format v1), managed: no
/// native liblz4 needed. Writes the frame itself around K4os's block compressor (independent
/// 64 KB blocks, no checksums, no content size, which every Kafka client reads; K4os's own frame
/// writer costs about 4 µs more per small batch); reads any standard frame with
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
}
